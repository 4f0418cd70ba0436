"""QEMU smokes of hostile floods of the timer queue and the console.

timer-flood-smp4 boots system/smoke-timer-flood.capnp: two processes of
user/tests/timer_flood.c arm 4,920 Timer.sleeps each (1,600 of them due at
one instant, a quarter of the threads exiting with theirs armed) while an
innocent process's sleeps must complete, each once, never early and not
grossly late.  timer-flood-strict-smp1 boots the same flood on one CPU,
where the innocent process also checks the completion order (by deadline;
equal lengths in submission order).

console-flood-smp4 boots system/smoke-console-flood.capnp: two processes of
user/tests/console_flood.c send 4 KiB Console.writes of lines up to 256
bytes from three threads each while an innocent process's two threads write
short lines.  Every flood and innocent line must be whole and start its own
line (the console keeps lines of up to 256 bytes unbroken), and innocent
lines must appear between flood lines (writers pass a preemption point
between segments, so six writers cannot keep the innocent threads off all
four CPUs).
"""
from smokes import KERNEL, Smoke, exited, system

FLOOD_ARMED = 41 * 120       # main and 40 threads, 120 sleeps each
FLOOD_COMPLETED = 30 * 80    # threads that stay: their 80 short sleeps


def flood_line(who):
    return (r'^timer-flood: flood %s: 41 threads armed %d sleeps; %d completed in time, %d '
            r'cancelled by exits$' % (who, FLOOD_ARMED, FLOOD_COMPLETED,
                                      FLOOD_ARMED - FLOOD_COMPLETED))


def timer_flood(name, module, smp, innocent_line):
    return Smoke(name=name, kernel=KERNEL, module=system(module), smp=smp, timeout=120,
                 expect=[r'^manifest: "%s"' % module[len('smoke-'):],
                         r'^system: all processes have exited; halting'],
                 forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
                 groups={'flood-a': [flood_line('a'), exited('flood-a')],
                         'flood-b': [flood_line('b'), exited('flood-b')],
                         'innocent': [innocent_line, exited('innocent')]})


def innocent_lines(who):
    return [r'^innocent: %s %d ok %08x$' % (who, n, ((n + 1) * 2654435761) % 2**32)
            for n in range(20)]


SMOKES = [
    timer_flood('timer-flood-smp4', 'smoke-timer-flood', 4,
                r'^timer-flood: innocent: 6 rounds of 12 sleeps, all in time \(latest \d+ us '
                r'late\)$'),
    timer_flood('timer-flood-strict-smp1', 'smoke-timer-flood-strict', 1,
                r'^timer-flood: strict: 6 rounds of 12 sleeps, all in time and in order '
                r'\(latest \d+ us late\)$'),
    Smoke(name='console-flood-smp4', kernel=KERNEL, module=system('smoke-console-flood'), smp=4,
          timeout=120,
          expect=[r'^manifest: "console-flood"',
                  # the innocent lines really met the floods' on the console
                  r'^F \d+ \d+ x', r'^innocent: [ab] \d+ ok', r'^F \d+ \d+ x',
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL',
                  # a flood or innocent line that does not start a line
                  r'.(F \d+ \d+ x|innocent: [ab] \d)',
                  # or that is not complete
                  r'^F (?!\d+ \d+ x+ E$)', r'^innocent: (?![ab] \d+ ok [0-9a-f]{8}$)',
                  # the oversized write must print nothing
                  r'IIIIIIII'],
          groups={'flood-a': [r'^console-flood: flood: 3 threads wrote \d+ KiB in \d+ writes$',
                              exited('flood-a')],
                  'flood-b': [r'^console-flood: flood: 3 threads wrote \d+ KiB in \d+ writes$',
                              exited('flood-b')],
                  'innocent-a': innocent_lines('a'),
                  'innocent-b': innocent_lines('b'),
                  'innocent': [r'^console-flood: innocent: 2 threads wrote 20 lines each$',
                               exited('innocent')]}),
]

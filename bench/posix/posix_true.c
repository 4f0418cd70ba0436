/* The program capos_run_true_wall_ms times under tools/capos-run: it does
 * nothing and returns 0, so the figure is capos-run, QEMU and capOS. */
int main(void)
{
    return 0;
}

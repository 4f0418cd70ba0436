/* The smallest capOS program: greets through its Console capability. */
#include "capos.h"

int main(int argc, char **argv)
{
    uint32_t console = capos_capset_require("console", capos_Console_INTERFACE_ID);
    capos_console_write_line(console, "Hello from capOS userspace!");
    capos_printf("hello: argc=%d argv[0]=%s\n", argc, argc > 0 ? argv[0] : "?");
    return 0;
}

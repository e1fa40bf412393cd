/* main.c — the campusmon command's entry point; the program is cli_main(). */
#include "cli/cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}

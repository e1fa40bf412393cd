/* main.c — campusmon-collector entry point; the daemon is collector_main(). */
#include "collector/collector.h"

int
main(int argc, char **argv)
{
	return collector_main(argc, argv);
}

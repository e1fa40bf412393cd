/* main.c — campusmon-agent entry point; the daemon is agent_main(). */
#include "agent/agent.h"

int
main(int argc, char **argv)
{
	return agent_main(argc, argv);
}

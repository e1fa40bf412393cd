/* rate.c — counter deltas with 32-bit wrap and reset handling. */
#include "agent/agent.h"

int
counter_delta(uint64_t prev, uint64_t cur, uint64_t *delta)
{
	if (cur >= prev) {
		*delta = cur - prev;
		return 0;
	}
	/* Went back: a 32-bit counter that wrapped, or a reset (reboot, driver reload). */
	if (prev <= UINT32_MAX && cur <= UINT32_MAX) {
		uint64_t d = cur + ((uint64_t)1 << 32) - prev;
		if (d < ((uint64_t)1 << 31)) {
			*delta = d;
			return 0;
		}
	}
	return -1;
}

double
rate_ps(uint64_t delta, int64_t elapsed_ns)
{
	if (elapsed_ns <= 0)
		return 0;
	return (double)delta * 1e9 / (double)elapsed_ns;
}

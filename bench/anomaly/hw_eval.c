/*
 * hw_eval.c — feed collector/alert/anomaly.c one value per line from stdin
 * and print, per line, "violation failure anomaly predicted lower upper". Built and
 * run by bench/anomaly/run.py; not part of the product.
 * Usage: hw_eval SEASON ALPHA BETA GAMMA DELTA FLOOR WINDOW THRESHOLD SPIKE
 */
#include <stdio.h>
#include <stdlib.h>

#include "collector/alert/anomaly.h"

int
main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: hw_eval SEASON ALPHA BETA GAMMA DELTA FLOOR WINDOW THRESHOLD SPIKE\n");
		return 2;
	}
	struct hw_params p = {
		.season = (unsigned)atoi(argv[1]), .alpha = atof(argv[2]), .beta = atof(argv[3]),
		.gamma = atof(argv[4]), .delta = atof(argv[5]), .floor = atof(argv[6]),
		.window = (unsigned)atoi(argv[7]), .threshold = (unsigned)atoi(argv[8]),
		.spike = atof(argv[9]),
	};
	const char *why = hw_params_check(&p);
	if (why != NULL) {
		fprintf(stderr, "hw_eval: %s\n", why);
		return 2;
	}
	struct hw_model *m = hw_model_new(&p);
	char line[128];
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct hw_verdict v;
		hw_model_update(m, strtod(line, NULL), &v);
		printf("%d %d %d %g %g %g\n", v.violation, v.failure, v.anomaly, v.predicted, v.lower,
		    v.upper);
	}
	hw_model_free(m);
	return 0;
}

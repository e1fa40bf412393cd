/* registry.c — the static table of plugins compiled into the agent. */
#include "plugins/plugin.h"

#include <string.h>

#include "plugins/builtin.h"
#include "plugins/nagios.h"

const struct plugin_desc *const plugin_registry[] = {
	&nagios_plugin,
	&postgresql_plugin,
	&mysql_plugin,
	&redis_plugin,
	&nginx_plugin,
	&apache_plugin,
	&tomcat_plugin,
	&http_plugin,
	&tcp_plugin,
	&dns_plugin,
	NULL,
};

const struct plugin_desc *
plugin_find(const char *name)
{
	for (size_t i = 0; plugin_registry[i] != NULL; i++)
		if (strcmp(plugin_registry[i]->name, name) == 0)
			return plugin_registry[i];
	return NULL;
}

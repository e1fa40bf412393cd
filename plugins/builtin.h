/* builtin.h — descriptors of the built-in plugins besides nagios: status pages, http, tcp,
 * redis, postgresql and mysql, for the registry. */
#ifndef CAMPUSMON_BUILTIN_H
#define CAMPUSMON_BUILTIN_H

#include "plugins/plugin.h"

extern const struct plugin_desc nginx_plugin, apache_plugin, tomcat_plugin;
extern const struct plugin_desc http_plugin, tcp_plugin, dns_plugin;
extern const struct plugin_desc redis_plugin, postgresql_plugin, mysql_plugin;

#endif

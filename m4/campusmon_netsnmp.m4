# CAMPUSMON_CHECK_NETSNMP: pkg-config netsnmp, else net-snmp-config; then a link test.
AC_DEFUN([CAMPUSMON_CHECK_NETSNMP], [
  PKG_CHECK_MODULES([NETSNMP], [netsnmp >= 5.7], [], [
    AC_PATH_TOOL([NETSNMP_CONFIG], [net-snmp-config], [no])
    AS_IF([test "x$NETSNMP_CONFIG" = xno], [AC_MSG_ERROR([net-snmp not found: install libsnmp-dev])])
    NETSNMP_CFLAGS=`$NETSNMP_CONFIG --base-cflags`
    NETSNMP_LIBS=`$NETSNMP_CONFIG --netsnmp-libs`
  ])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$NETSNMP_LIBS $LIBS"; CFLAGS="$NETSNMP_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether net-snmp links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>]], [[init_snmp("x");]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with net-snmp])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
  AC_SUBST([NETSNMP_CFLAGS]) AC_SUBST([NETSNMP_LIBS])
])

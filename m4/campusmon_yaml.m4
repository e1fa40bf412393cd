# CAMPUSMON_CHECK_YAML: yaml-0.1 through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_YAML], [
  PKG_CHECK_MODULES([YAML], [yaml-0.1])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$YAML_LIBS $LIBS"; CFLAGS="$YAML_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether yaml-0.1 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <yaml.h>]], [[yaml_parser_t p; yaml_parser_initialize(&p);]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with yaml-0.1])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])

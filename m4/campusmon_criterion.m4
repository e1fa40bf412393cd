# CAMPUSMON_CHECK_CRITERION: unit tests need Criterion; without it `make check` says so.
AC_DEFUN([CAMPUSMON_CHECK_CRITERION], [
  PKG_CHECK_MODULES([CRITERION], [criterion >= 2.3], [have_criterion=yes], [have_criterion=no])
  AM_CONDITIONAL([HAVE_CRITERION], [test "x$have_criterion" = xyes])
])

# CAMPUSMON_CHECK_LIBEVENT: libevent >= 2.1 libevent_openssl libevent_pthreads through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_LIBEVENT], [
  PKG_CHECK_MODULES([LIBEVENT], [libevent >= 2.1 libevent_openssl libevent_pthreads])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$LIBEVENT_LIBS $LIBS"; CFLAGS="$LIBEVENT_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether libevent >= 2.1 libevent_openssl libevent_pthreads links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <event2/event.h>]], [[event_base_free(event_base_new());]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with libevent >= 2.1 libevent_openssl libevent_pthreads])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])

# CAMPUSMON_CHECK_SODIUM: libsodium >= 1.0.16 through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_SODIUM], [
  PKG_CHECK_MODULES([SODIUM], [libsodium >= 1.0.16])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$SODIUM_LIBS $LIBS"; CFLAGS="$SODIUM_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether libsodium >= 1.0.16 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <sodium.h>]], [[sodium_init();]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with libsodium >= 1.0.16])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])

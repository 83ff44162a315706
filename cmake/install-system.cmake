# install-system.cmake: run by `cmake --install` (the end of
# CMakeLists.txt) for the files whose place or contents depend on the
# prefix. --prefix is only known here, at install time: a unit configured
# at configure time would name /usr/local/sbin/segurd while
# `cmake --install --prefix /usr` puts segurd in /usr/sbin. file(INSTALL)
# honours DESTDIR and records each file in install_manifest.txt.
#
# In: SEGUR_SOURCE_DIR, SEGUR_BINARY_DIR, SEGUR_SBINDIR and
# SEGUR_SYSCONFDIR (GNUInstallDirs' CMAKE_INSTALL_SBINDIR and
# CMAKE_INSTALL_SYSCONFDIR, usually relative), set by install(CODE).
set(prefix "${CMAKE_INSTALL_PREFIX}")

if(IS_ABSOLUTE "${SEGUR_SBINDIR}")
	set(sbindir "${SEGUR_SBINDIR}")
else()
	set(sbindir "${prefix}/${SEGUR_SBINDIR}")
endif()

# GNUInstallDirs' rule for sysconfdir, applied to the install-time prefix:
# /usr and / put it in /etc, /opt/X in /etc/opt/X, any other prefix
# (/usr/local) in PREFIX/etc.
if(IS_ABSOLUTE "${SEGUR_SYSCONFDIR}")
	set(sysconfdir "${SEGUR_SYSCONFDIR}")
elseif(prefix STREQUAL "/usr" OR prefix STREQUAL "/")
	set(sysconfdir "/${SEGUR_SYSCONFDIR}")
elseif(prefix MATCHES "^/opt/")
	set(sysconfdir "/${SEGUR_SYSCONFDIR}${prefix}")
else()
	set(sysconfdir "${prefix}/${SEGUR_SYSCONFDIR}")
endif()

# The unit runs the segurd installed here.
set(SEGURD_SBINDIR "${sbindir}")
configure_file("${SEGUR_SOURCE_DIR}/systemd/segurd.service.in"
	"${SEGUR_BINARY_DIR}/install/segurd.service" @ONLY)
# systemd reads units, sysusers.d and tmpfiles.d under /usr/lib and
# /usr/local/lib alike; "lib", not CMAKE_INSTALL_LIBDIR, which is
# lib/x86_64-linux-gnu on Debian.
file(INSTALL "${SEGUR_BINARY_DIR}/install/segurd.service"
	DESTINATION "${prefix}/lib/systemd/system")
file(INSTALL "${SEGUR_SOURCE_DIR}/systemd/segurd.sysusers"
	DESTINATION "${prefix}/lib/sysusers.d" RENAME segur.conf)
file(INSTALL "${SEGUR_SOURCE_DIR}/systemd/segurd.tmpfiles"
	DESTINATION "${prefix}/lib/tmpfiles.d" RENAME segur.conf)
# An example only: segurd reads /etc/segur/segurd.conf whatever the prefix
# (the unit's -c, ConfigurationDirectory=), and an installation never
# overwrites the configuration in use.
file(INSTALL "${SEGUR_SOURCE_DIR}/systemd/segurd.conf.example"
	DESTINATION "${sysconfdir}/segur")

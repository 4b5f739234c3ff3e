# Installed files and the Debian package (cpack -G DEB in the build directory).
include(GNUInstallDirs)

set(LEARNPULSE_APP_ID "ai.learnpulse.SupportConsole")
if(LEARNPULSE_GUI)
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/${LEARNPULSE_APP_ID}.desktop"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/${LEARNPULSE_APP_ID}.metainfo.xml"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo")
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/icons/${LEARNPULSE_APP_ID}.svg"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/icons/${LEARNPULSE_APP_ID}.png"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps")
endif()
install(FILES "${PROJECT_SOURCE_DIR}/packaging/copyright"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/learnpulse-support-console")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "learnpulse-support-console")
set(CPACK_PACKAGE_VENDOR "LearnPulse")
set(CPACK_PACKAGE_CONTACT "LearnPulse support <support@learnpulse.ai>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Teacher assistant chat with automatic support tickets")
set(CPACK_PACKAGE_DESCRIPTION "Teachers chat with the LearnPulse assistant about their classes; when a \
teacher is unhappy the application opens one support ticket with the whole conversation and mails it \
to support. Support agents triage tickets; admins manage accounts and erase a person's data on \
request. Includes learnpulsectl, the same core from a shell.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "education")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://learnpulse.ai")
# The shared libraries the binaries link (Qt, hiredis, libcurl, libsodium, ...) come from
# dpkg-shlibdeps; what Qt loads at run time as plug-ins is named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
if(LEARNPULSE_GUI)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", qt6-qpa-plugins")
endif()
# Emoji in teachers' messages and the assistant's replies render in colour with Debian's Noto emoji font.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server, stunnel4, fonts-noto-color-emoji")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libqt6sql6-psql, postgresql-client")
include(CPack)

# Compiler settings shared by every target of the project, carried by one INTERFACE target.
add_library(learnpulse_common INTERFACE)
target_compile_features(learnpulse_common INTERFACE cxx_std_20)
target_compile_options(learnpulse_common INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual)
if(LEARNPULSE_WERROR)
    # The test script builds with this on: a new warning fails the run instead of going unnoticed.
    target_compile_options(learnpulse_common INTERFACE -Werror)
endif()
target_compile_definitions(learnpulse_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH)
set(CMAKE_CXX_EXTENSIONS OFF)

if(LEARNPULSE_SANITIZE)
    # Any report fails the run: no recovery from undefined behaviour.
    set(lp_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_compile_options(learnpulse_common INTERFACE ${lp_sanitize_flags})
    target_link_options(learnpulse_common INTERFACE ${lp_sanitize_flags})
endif()

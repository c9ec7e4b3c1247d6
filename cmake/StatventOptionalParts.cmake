# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
#
# The parts of the project that need more than Qt Core (statvent-web, the dashboard, the
# benchmarks) each have an option STATVENT_BUILD_<PART> that takes three values:
#   AUTO (default)  built when its packages are found; otherwise skipped, with one configure
#                   message that names what is missing, so that `cmake -S . -B build` works on
#                   a machine that has only what the library needs;
#   ON              built; a missing package is a configure error (CI asks for this, so that a
#                   missing package cannot pass unnoticed as a skipped part);
#   OFF             not built, and its packages are not looked for.

# statvent_part_option(<option> <description>)
# Declares the cache entry <option>, AUTO unless the user set it.
function(statvent_part_option option description)
    set(${option} AUTO CACHE STRING "${description}: AUTO (when its packages are found), ON or OFF")
    set_property(CACHE ${option} PROPERTY STRINGS AUTO ON OFF)
endfunction()

# statvent_resolve_part(<result> <option> <part> <package>...)
# Sets <result> to ON when <part> is to be built: <option> is not OFF and each <package> was
# found (<package>_FOUND is true, so call find_package() for them first). Says why a part with
# <option> AUTO is skipped; stops with an error when <option> is ON and a package is missing.
function(statvent_resolve_part result option part)
    set(missing)
    foreach(package IN LISTS ARGN)
        if(NOT ${package}_FOUND)
            list(APPEND missing ${package})
        endif()
    endforeach()
    list(JOIN missing ", " missing)

    if("${${option}}" STREQUAL "AUTO")
        if(missing)
            message(STATUS "Skipping ${part}: ${missing} not found (-D${option}=ON makes this an error)")
            set(${result} OFF PARENT_SCOPE)
        else()
            set(${result} ON PARENT_SCOPE)
        endif()
    elseif(${option})
        if(missing)
            message(FATAL_ERROR "${option} is ${${option}}, but ${part} needs what was not found: ${missing}")
        endif()
        set(${result} ON PARENT_SCOPE)
    else()
        set(${result} OFF PARENT_SCOPE)
    endif()
endfunction()

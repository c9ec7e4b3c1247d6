# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
#
# The compiler warnings of the project's own code. They are given to targets, not to directories
# (add_compile_options), so that code the project builds but does not own, such as a dependency
# fetched into the build directory, is compiled with its own flags.
# Warnings become errors only with -DSTATVENT_WERROR=ON, which CI sets: a user's newer compiler
# may warn about something new, and that must not break their build.

option(STATVENT_WERROR "Treat compiler warnings as errors (CI turns this on)" OFF)

set(STATVENT_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow)
# GCC's -Wtsan says ThreadSanitizer does not model std::atomic_thread_fence. The value cells'
# sequence lock orders only atomic accesses with its fences, so TSan cannot report a false race
# there; what it cannot do is prove that ordering, which tst_threadstress checks by its results.
if("thread" IN_LIST STATVENT_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND STATVENT_WARNING_FLAGS -Wno-tsan)
endif()
if(STATVENT_WERROR)
    list(APPEND STATVENT_WARNING_FLAGS -Werror)
endif()

# statvent_set_warnings(<target>...)
# Compiles the sources of each target with the project's warning flags.
function(statvent_set_warnings)
    foreach(target IN LISTS ARGN)
        target_compile_options(${target} PRIVATE ${STATVENT_WARNING_FLAGS})
    endforeach()
endfunction()

# statvent_set_warnings_in_tree(<directory>)
# Calls statvent_set_warnings() on every target that compiles code and is defined in <directory>
# or below it, except directories inside the build tree (fetched dependencies). The top-level
# CMakeLists.txt calls it once, after every add_subdirectory(), so that a new target gets the
# warnings without having to ask for them.
function(statvent_set_warnings_in_tree directory)
    if(NOT PROJECT_BINARY_DIR STREQUAL PROJECT_SOURCE_DIR)
        cmake_path(IS_PREFIX PROJECT_BINARY_DIR "${directory}" NORMALIZE in_build_tree)
        if(in_build_tree)
            return()
        endif()
    endif()
    get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
        get_target_property(type ${target} TYPE)
        if(type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
            statvent_set_warnings(${target})
        endif()
    endforeach()
    get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
    foreach(subdirectory IN LISTS subdirectories)
        statvent_set_warnings_in_tree(${subdirectory})
    endforeach()
endfunction()

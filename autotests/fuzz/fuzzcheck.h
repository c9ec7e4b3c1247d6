// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// FUZZ_CHECK: the assertion of the fuzz targets. A failed check is reported like a crash (abort),
// so that libFuzzer saves the input that broke the property and the replay test fails on it.
#ifndef STATVENT_FUZZ_FUZZCHECK_H
#define STATVENT_FUZZ_FUZZCHECK_H

#include <cstdio>
#include <cstdlib>

namespace StatventFuzz {

[[noreturn]] inline void checkFailed(const char *condition, const char *file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, condition);
    std::fflush(stderr);
    std::abort();
}

} // namespace StatventFuzz

// Active in every build type: the fuzzers are built with optimisation, where assert() is gone.
#define FUZZ_CHECK(condition)                                                                      \
    ((condition) ? void() : StatventFuzz::checkFailed(#condition, __FILE__, __LINE__))

#endif

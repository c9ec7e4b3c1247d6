// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The end of main() in a benchmark program that needs a Qt application (benchmark_main makes
// none): the program makes its QCoreApplication or QApplication, then returns runBenchmarks().
#ifndef STATVENT_BENCHMARKS_RUNBENCHMARKS_H
#define STATVENT_BENCHMARKS_RUNBENCHMARKS_H

#include <benchmark/benchmark.h>

//! Runs the benchmarks that \a argv selects; 1 for an argument Google Benchmark does not know.
inline int runBenchmarks(int &argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

#endif

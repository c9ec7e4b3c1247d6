// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// SampleWindow::record() from 1, 2, 4 and 8 threads into one window, the way a server's worker
// threads record latencies, next to the cheapest shared update: a raw std::atomic add that all
// threads make on one counter. Each at CPU time (the figure on a machine with fewer cores than
// threads) and at wall time.
#include <statvent/statvent.h>

#include <benchmark/benchmark.h>

#include <atomic>

namespace {

//! On a cache line of its own, so that the baseline pays for nothing but its own contention.
struct alignas(64) SharedCounter
{
    std::atomic<qint64> value{0};
};
SharedCounter sharedCounter;

void rawSharedAdd(benchmark::State &state)
{
    for (auto _ : state)
        sharedCounter.value.fetch_add(1);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(rawSharedAdd)->ThreadRange(1, 8);
BENCHMARK(rawSharedAdd)->ThreadRange(1, 8)->UseRealTime();

void sharedWindowRecord(benchmark::State &state)
{
    const Statvent::SampleWindow window = Statvent::sampleWindow("bench.shared.window.{0}");
    double sample = state.thread_index();
    for (auto _ : state) {
        window.record(sample);
        sample = sample < 1000 ? sample + 1 : 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(sharedWindowRecord)->ThreadRange(1, 8);
BENCHMARK(sharedWindowRecord)->ThreadRange(1, 8)->UseRealTime();

} // namespace

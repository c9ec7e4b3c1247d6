// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The update paths an application calls on every event, each at 1 and 2 threads (two threads
// update the same statistic, the worst case for cache lines), next to the cheapest possible
// update: a raw std::atomic add.
#include <statvent/statvent.h>

#include <benchmark/benchmark.h>

#include <atomic>

namespace {

std::atomic<qint64> rawCounter{0};

void rawAtomicAdd(benchmark::State &state)
{
    for (auto _ : state)
        rawCounter.fetch_add(1);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(rawAtomicAdd)->Threads(1)->Threads(2);

void incrByName(benchmark::State &state)
{
    Statvent::incr("bench.incr", 0); // the statistic exists before timing starts
    for (auto _ : state)
        Statvent::incr("bench.incr");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(incrByName)->Threads(1)->Threads(2);

void setByName(benchmark::State &state)
{
    Statvent::set("bench.set", 0);
    qint64 value = 0;
    for (auto _ : state)
        Statvent::set("bench.set", ++value);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(setByName)->Threads(1)->Threads(2);

void recordByName(benchmark::State &state)
{
    Statvent::record("bench.record.{0}", 0);
    double sample = 0;
    for (auto _ : state) {
        Statvent::record("bench.record.{0}", sample);
        sample = sample < 1000 ? sample + 1 : 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(recordByName)->Threads(1)->Threads(2);

void counterHandleIncr(benchmark::State &state)
{
    const Statvent::Counter counter = Statvent::counter("bench.counter");
    for (auto _ : state)
        counter.incr();
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(counterHandleIncr)->Threads(1)->Threads(2);

void gaugeHandleSet(benchmark::State &state)
{
    const Statvent::Gauge gauge = Statvent::gauge("bench.gauge");
    qint64 value = 0;
    for (auto _ : state)
        gauge.set(++value);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(gaugeHandleSet)->Threads(1)->Threads(2);

void sampleWindowHandleRecord(benchmark::State &state)
{
    const Statvent::SampleWindow window = Statvent::sampleWindow("bench.window.{0}");
    double sample = 0;
    for (auto _ : state) {
        window.record(sample);
        sample = sample < 1000 ? sample + 1 : 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(sampleWindowHandleRecord)->Threads(1)->Threads(2);

} // namespace

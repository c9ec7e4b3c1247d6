// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Heap taken by plain statistics: 100,000 of them, created by name in a fresh registry, next to
// the cheapest way to keep the same names and values: a std::unordered_map<std::string, qint64>.
#include <statvent/statregistry.h>

#include <benchmark/benchmark.h>

#include <QByteArray>
#include <QList>

#include <malloc.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace {

constexpr int Stats = 100000;

// Small blocks come from the heap arena, large ones are mapped on their own: count both.
size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

//! 32-byte names, as in docs/PERFORMANCE.md: `service.endpoint.000123.requests`.
const QList<QByteArray> &statNames()
{
    static const QList<QByteArray> names = [] {
        QList<QByteArray> made;
        made.reserve(Stats);
        for (int i = 0; i < Stats; ++i)
            made.append("service.endpoint." + QByteArray::number(i).rightJustified(6, '0')
                        + ".requests");
        return made;
    }();
    return names;
}

//! Heap growth per stat of \a fill(), names included; reports it as the benchmark's counters.
template<typename Fill>
void measure(benchmark::State &state, Fill fill)
{
    const QList<QByteArray> &names = statNames();
    qsizetype nameBytes = 0;
    for (const QByteArray &name : names)
        nameBytes += name.size();
    size_t grown = 0;
    for (auto _ : state)
        grown = fill(names);
    state.counters["bytes_per_stat_with_name"] = double(grown) / Stats;
    state.counters["bytes_per_stat"] = double(grown - size_t(nameBytes)) / Stats;
    state.counters["name_bytes"] = double(nameBytes) / Stats;
}

void memoryPerPlainStat(benchmark::State &state)
{
    measure(state, [](const QList<QByteArray> &names) {
        const size_t before = heapInUse();
        auto registry = std::make_unique<Statvent::StatRegistry>();
        for (const QByteArray &name : names)
            registry->incr(name);
        const size_t grown = heapInUse() - before;
        benchmark::DoNotOptimize(registry.get());
        return grown;
    });
}
BENCHMARK(memoryPerPlainStat)->Iterations(1)->Unit(benchmark::kMillisecond);

// The baseline: a hash map from std::string (heap-allocated past 15 bytes) to an integer.
void memoryPerMapEntry(benchmark::State &state)
{
    measure(state, [](const QList<QByteArray> &names) {
        const size_t before = heapInUse();
        auto map = std::make_unique<std::unordered_map<std::string, qint64>>();
        for (const QByteArray &name : names)
            ++(*map)[name.toStdString()];
        const size_t grown = heapInUse() - before;
        benchmark::DoNotOptimize(map.get());
        return grown;
    });
}
BENCHMARK(memoryPerMapEntry)->Iterations(1)->Unit(benchmark::kMillisecond);

} // namespace

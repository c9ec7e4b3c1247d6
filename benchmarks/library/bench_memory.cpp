// SPDX-License-Identifier: MIT
// Heap taken by plain statistics: 100,000 of them, created by name in a fresh registry.
#include <statvent/statregistry.h>

#include <benchmark/benchmark.h>

#include <QByteArray>
#include <QList>

#include <malloc.h>

#include <memory>

namespace {

constexpr int Stats = 100000;

// Small blocks come from the heap arena, large ones (the cell arrays, the hash index) are mapped
// on their own: count both.
size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

void memoryPerPlainStat(benchmark::State &state)
{
    QList<QByteArray> names;
    names.reserve(Stats);
    qsizetype nameBytes = 0;
    for (int i = 0; i < Stats; ++i) {
        names.append("service.endpoint." + QByteArray::number(i).rightJustified(6, '0') + ".requests");
        nameBytes += names.constLast().size();
    }

    size_t grown = 0;
    for (auto _ : state) {
        const size_t before = heapInUse();
        auto registry = std::make_unique<Statvent::StatRegistry>();
        for (const QByteArray &name : names)
            registry->incr(name);
        grown = heapInUse() - before;
        benchmark::DoNotOptimize(registry.get());
    }
    state.counters["bytes_per_stat"] = double(grown - size_t(nameBytes)) / Stats;
    state.counters["bytes_per_stat_with_name"] = double(grown) / Stats;
    state.counters["name_bytes"] = double(nameBytes) / Stats;
}
BENCHMARK(memoryPerPlainStat)->Iterations(1)->Unit(benchmark::kMillisecond);

} // namespace

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What one read of the pipe costs the application: a snapshot of 10,000 plain statistics and
// 1,000 windows of 100 samples each, and the same snapshot as pipe text; and what one read of
// the socket costs: the typed snapshot (windows, histograms) as socket text, written from the
// registry's cells, next to the same text made from a TypedSnapshot.
#include <statvent/snapshotformat.h>
#include <statvent/statregistry.h>

#include <benchmark/benchmark.h>

#include <QRandomGenerator>

#include <memory>

namespace {

constexpr int PlainStats = 10000;
constexpr int Windows = 1000;
constexpr int SamplesPerWindow = 100;

const Statvent::StatRegistry &populatedRegistry()
{
    static const std::unique_ptr<Statvent::StatRegistry> registry = [] {
        auto filled = std::make_unique<Statvent::StatRegistry>();
        QRandomGenerator random(2);
        for (int i = 0; i < PlainStats; ++i) {
            const QByteArray number = QByteArray::number(i);
            // One in ten is a real (a rate, a level), written the slower way: shortest round-trip.
            if (i % 10)
                filled->incr(QByteArray("service.endpoint." + number + ".requests"), i);
            else
                filled->set(QByteArray("service.level." + number), random.generateDouble() * 100);
        }
        for (int i = 0; i < Windows; ++i) {
            const QByteArray name = "service.latency." + QByteArray::number(i) + ".{0}";
            for (int sample = 0; sample < SamplesPerWindow; ++sample)
                filled->record(name, random.generateDouble() * 250);
        }
        return filled;
    }();
    return *registry;
}

void snapshot(benchmark::State &state)
{
    const Statvent::StatRegistry &registry = populatedRegistry();
    qsizetype rows = 0;
    for (auto _ : state) {
        const Statvent::Snapshot snapshot = registry.snapshot();
        rows = snapshot.size();
        benchmark::DoNotOptimize(snapshot.constData());
    }
    state.counters["rows"] = double(rows);
}
BENCHMARK(snapshot)->Unit(benchmark::kMillisecond);

void snapshotText(benchmark::State &state)
{
    const Statvent::StatRegistry &registry = populatedRegistry();
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray text = registry.snapshotText();
        bytes = text.size();
        benchmark::DoNotOptimize(text.constData());
    }
    state.counters["text_bytes"] = double(bytes);
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(snapshotText)->Unit(benchmark::kMillisecond);

//! What the socket serves: the text written from the registry's cells.
void typedSnapshotText(benchmark::State &state)
{
    const Statvent::StatRegistry &registry = populatedRegistry();
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray text = registry.typedSnapshotText();
        bytes = text.size();
        benchmark::DoNotOptimize(text.constData());
    }
    state.counters["text_bytes"] = double(bytes);
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(typedSnapshotText)->Unit(benchmark::kMillisecond);

//! The same text made from a TypedSnapshot, as the socket made it before: the baseline.
void serializedTypedSnapshot(benchmark::State &state)
{
    const Statvent::StatRegistry &registry = populatedRegistry();
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray text = Statvent::SnapshotFormat::serialize(registry.typedSnapshot());
        bytes = text.size();
        benchmark::DoNotOptimize(text.constData());
    }
    state.counters["text_bytes"] = double(bytes);
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(serializedTypedSnapshot)->Unit(benchmark::kMillisecond);

} // namespace

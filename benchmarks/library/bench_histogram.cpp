// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What window histograms cost: building one from a window's 100 samples (add() one by one, and
// fromSamples() as a registry would at snapshot time), merging 100 of them as the web service
// merges a host's processes, and the socket text of 1,000 windows with and without their
// histograms. Next to `snapshot` (bench_snapshot.cpp, same program), these give the share that
// histograms would add to a snapshot of 10,000 statistics and 1,000 windows.
#include <statvent/histogram.h>
#include <statvent/snapshotformat.h>

#include <benchmark/benchmark.h>

#include <QRandomGenerator>

namespace {

constexpr int SamplesPerWindow = 100;
constexpr int Histograms = 100;
constexpr int Windows = 1000;

//! Latencies like bench_snapshot's windows: uniform in [0, 250).
QList<double> windowSamples(QRandomGenerator &random)
{
    QList<double> samples;
    samples.reserve(SamplesPerWindow);
    for (int i = 0; i < SamplesPerWindow; ++i)
        samples.append(random.generateDouble() * 250);
    return samples;
}

void histogramAdd100(benchmark::State &state)
{
    QRandomGenerator random(2);
    const QList<double> samples = windowSamples(random);
    for (auto _ : state) {
        Statvent::Histogram histogram;
        for (double sample : samples)
            histogram.add(sample);
        benchmark::DoNotOptimize(histogram.count());
    }
    state.SetItemsProcessed(state.iterations() * SamplesPerWindow);
}
BENCHMARK(histogramAdd100);

void histogramFromSamples100(benchmark::State &state)
{
    QRandomGenerator random(2);
    const QList<double> samples = windowSamples(random);
    for (auto _ : state) {
        const Statvent::Histogram histogram = Statvent::Histogram::fromSamples(samples);
        benchmark::DoNotOptimize(histogram.count());
    }
    state.SetItemsProcessed(state.iterations() * SamplesPerWindow);
}
BENCHMARK(histogramFromSamples100);

void histogramMerge100Of100(benchmark::State &state)
{
    QRandomGenerator random(3);
    QList<Statvent::Histogram> histograms;
    for (int i = 0; i < Histograms; ++i)
        histograms.append(Statvent::Histogram::fromSamples(windowSamples(random)));
    for (auto _ : state) {
        Statvent::Histogram merged;
        for (const Statvent::Histogram &histogram : histograms)
            merged.merge(histogram);
        benchmark::DoNotOptimize(merged.percentile(99));
    }
    state.SetItemsProcessed(state.iterations() * Histograms);
}
BENCHMARK(histogramMerge100Of100);

//! The socket text of 1,000 windows of 100 samples, each with 5 rows; with histograms if asked.
void socketText1000Windows(benchmark::State &state)
{
    QRandomGenerator random(4);
    Statvent::TypedSnapshot snapshot;
    const QList<QByteArray> labels = {"median", "95th", "99th", "100th", "mean"};
    for (int i = 0; i < Windows; ++i) {
        const QByteArray name = "service.latency." + QByteArray::number(i) + ".{0}";
        const Statvent::Histogram histogram =
            Statvent::Histogram::fromSamples(windowSamples(random));
        Statvent::WindowStats window{
            name, histogram.count(), histogram.sum(), snapshot.stats.size(), labels.size(), labels,
            {}};
        for (const QByteArray &label : labels) {
            snapshot.stats.append({"service.latency." + QByteArray::number(i) + '.' + label,
                                   histogram.percentile(50), Statvent::StatKind::Window});
        }
        if (state.range(0))
            window.histogram = histogram;
        snapshot.windows.append(window);
    }
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray text = Statvent::SnapshotFormat::serialize(snapshot);
        bytes = text.size();
        benchmark::DoNotOptimize(text.constData());
    }
    state.counters["text_bytes"] = double(bytes);
}
BENCHMARK(socketText1000Windows)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

} // namespace

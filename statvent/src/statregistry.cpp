// SPDX-License-Identifier: MIT
#include "statvent/statregistry.h"

#include "logging.h"
#include "statregistry_p.h"
#include "statvent/pipeformat.h"
#include "utf8name.h"
#include "windowrows.h"

#include <QMutexLocker>

#include <cmath>

namespace Statvent {

namespace {

constexpr qsizetype MaxWarnedNames = 1024;

const char *invalidNameReason(QByteArrayView name)
{
    if (name.isEmpty())
        return "the name is empty";
    if (name.size() > PipeFormat::MaxNameLength)
        return "the name is longer than 4096 bytes";
    return "the name contains a line break, which would corrupt the pipe text";
}

} // namespace

void StatRegistryPrivate::warnOnce(QByteArrayView name, const char *operation, const char *reason)
{
    QMutexLocker locker(&mutex);
    if (warnedNamesFull)
        return;
    if (warnedNames.size() >= MaxWarnedNames) {
        warnedNamesFull = true;
        locker.unlock();
        qCWarning(lcStatvent) << "more than" << MaxWarnedNames << "statistics were refused; not reporting any more";
        return;
    }
    // The key is cut like the message: a flood of huge bad names must not grow memory.
    const QByteArray key = name.first(std::min<qsizetype>(name.size(), 200)).toByteArray();
    if (warnedNames.contains(key))
        return;
    warnedNames.insert(key);
    locker.unlock();
    Detail::warnRefused(name, operation, reason);
}

Detail::ValueCell *StatRegistryPrivate::valueCell(QByteArrayView name, quint32 hash)
{
    if (Detail::ValueCell *cell = values.find(name, hash))
        return cell;
    if (!PipeFormat::isValidName(name))
        return nullptr;
    QMutexLocker locker(&mutex);
    if (Detail::ValueCell *cell = values.find(name, hash))
        return cell; // another thread inserted it meanwhile
    return values.insert(name.toByteArray(), hash);
}

Detail::WindowCell *StatRegistryPrivate::windowCell(QByteArrayView name, quint32 hash, const NameFormatter &formatter)
{
    if (Detail::WindowCell *cell = windows.find(name, hash))
        return cell;
    if (!PipeFormat::isValidName(name))
        return nullptr;
    QMutexLocker locker(&mutex);
    if (Detail::WindowCell *cell = windows.find(name, hash))
        return cell;
    rings.push_back(std::make_unique<Detail::SampleRing>(quint32(windowSize)));
    return windows.insert(name.toByteArray(), hash, formatter, rings.back().get(), values.size());
}

const Detail::RowNames &StatRegistryPrivate::rowNamesFor(const Detail::WindowCell &cell, const QList<double> &wanted,
                                                        const QList<QByteArray> &labels)
{
    if (const Detail::RowNames *cached = cell.rowNames.load(std::memory_order_acquire); cached && cached->percentiles == wanted)
        return *cached;
    // Formatting happens outside the lock; the lock only keeps the result alive.
    auto made = std::make_unique<Detail::RowNames>(Detail::RowNames{wanted, Detail::WindowRows::rowNames(cell.name, labels, cell.formatter)});
    if (made->names.contains(QByteArray()))
        warnOnce(cell.name, "aggregates", "its formatter gives names that are empty, too long or contain a line break");
    const Detail::RowNames *published = made.get();
    {
        QMutexLocker locker(&mutex);
        rowNameSets.push_back(std::move(made));
    }
    cell.rowNames.store(published, std::memory_order_release);
    return *published;
}

StatRegistry::StatRegistry(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<StatRegistryPrivate>())
{
}

StatRegistry::~StatRegistry() = default;

StatRegistry *StatRegistry::global()
{
    // Deliberately never destroyed: handles and recorder threads may outlive static destructors.
    static StatRegistry *const instance = new StatRegistry;
    return instance;
}

void StatRegistry::incr(QAnyStringView name, StatValue value)
{
    const Detail::Utf8Name key(name);
    if (Q_UNLIKELY(!value.isFinite()))
        return d->warnOnce(key.bytes(), "incr", Detail::NonFiniteReason);
    if (Detail::ValueCell *cell = d->valueCell(key.bytes(), key.hash()))
        return cell->add(value);
    d->warnOnce(key.bytes(), "incr", invalidNameReason(key.bytes()));
}

void StatRegistry::set(QAnyStringView name, StatValue value)
{
    const Detail::Utf8Name key(name);
    if (Q_UNLIKELY(!value.isFinite()))
        return d->warnOnce(key.bytes(), "set", Detail::NonFiniteReason);
    if (Detail::ValueCell *cell = d->valueCell(key.bytes(), key.hash()))
        return cell->set(value);
    d->warnOnce(key.bytes(), "set", invalidNameReason(key.bytes()));
}

void StatRegistry::record(QAnyStringView name, double value)
{
    record(name, value, NameFormatter());
}

void StatRegistry::record(QAnyStringView name, double value, const NameFormatter &formatter)
{
    const Detail::Utf8Name key(name);
    if (Q_UNLIKELY(!std::isfinite(value)))
        return d->warnOnce(key.bytes(), "record", Detail::NonFiniteReason);
    if (Detail::WindowCell *cell = d->windowCell(key.bytes(), key.hash(), formatter))
        return cell->record(value);
    d->warnOnce(key.bytes(), "record", invalidNameReason(key.bytes()));
}

Counter StatRegistry::counter(QAnyStringView name)
{
    const Detail::Utf8Name key(name);
    Detail::ValueCell *cell = d->valueCell(key.bytes(), key.hash());
    if (!cell)
        d->warnOnce(key.bytes(), "counter", invalidNameReason(key.bytes()));
    return Counter(cell);
}

Gauge StatRegistry::gauge(QAnyStringView name)
{
    const Detail::Utf8Name key(name);
    Detail::ValueCell *cell = d->valueCell(key.bytes(), key.hash());
    if (!cell)
        d->warnOnce(key.bytes(), "gauge", invalidNameReason(key.bytes()));
    return Gauge(cell);
}

SampleWindow StatRegistry::sampleWindow(QAnyStringView name, const NameFormatter &formatter)
{
    const Detail::Utf8Name key(name);
    Detail::WindowCell *cell = d->windowCell(key.bytes(), key.hash(), formatter);
    if (!cell)
        d->warnOnce(key.bytes(), "sampleWindow", invalidNameReason(key.bytes()));
    return SampleWindow(cell);
}

std::optional<StatValue> StatRegistry::value(QAnyStringView name) const
{
    const Detail::Utf8Name key(name);
    if (const Detail::ValueCell *cell = d->values.find(key.bytes(), key.hash()))
        return cell->load();
    return std::nullopt;
}

Snapshot StatRegistry::snapshot() const
{
    const QList<double> percentiles = this->percentiles();
    const QList<QByteArray> labels = Detail::WindowRows::percentileLabels(percentiles);
    // Windows first: every window counted here was made when at most valueCount values existed,
    // so each one's valuesBefore is within this snapshot.
    const qsizetype windowCount = d->windows.size();
    const qsizetype valueCount = d->values.size();

    Snapshot snapshot;
    snapshot.reserve(valueCount + windowCount * (percentiles.size() + 1));
    qsizetype nextValue = 0;
    auto appendValuesUpTo = [&](qsizetype end) {
        for (; nextValue < end; ++nextValue) {
            const Detail::ValueCell &cell = d->values.at(nextValue);
            snapshot.append(StatEntry{cell.name, cell.load()});
        }
    };
    QList<double> samples;
    for (qsizetype i = 0; i < windowCount; ++i) {
        const Detail::WindowCell &cell = d->windows.at(i);
        appendValuesUpTo(cell.valuesBefore);
        cell.ring.load(std::memory_order_acquire)->copySamples(samples);
        Detail::WindowRows::appendNamedRows(snapshot, d->rowNamesFor(cell, percentiles, labels).names, samples, percentiles);
    }
    appendValuesUpTo(valueCount);
    return snapshot;
}

QByteArray StatRegistry::snapshotText() const
{
    return PipeFormat::serialize(snapshot());
}

int StatRegistry::windowSize() const
{
    QMutexLocker locker(&d->mutex);
    return d->windowSize;
}

void StatRegistry::setWindowSize(int size)
{
    if (size < 1 || size > MaxWindowSize) {
        qCWarning(lcStatvent) << "ignoring window size" << size << "- it must be between 1 and" << MaxWindowSize;
        return;
    }
    {
        QMutexLocker locker(&d->mutex);
        if (size == d->windowSize)
            return;
        d->windowSize = size;
        // Every window, existing ones included, moves to a ring of the new size that starts with
        // its most recent samples (the original only applied a new size to windows made later).
        QList<double> samples;
        const qsizetype windowCount = d->windows.size();
        for (qsizetype i = 0; i < windowCount; ++i) {
            Detail::WindowCell &cell = d->windows.at(i);
            cell.ring.load(std::memory_order_relaxed)->copySamples(samples);
            d->rings.push_back(std::make_unique<Detail::SampleRing>(quint32(size)));
            d->rings.back()->fill(samples);
            cell.ring.store(d->rings.back().get(), std::memory_order_release);
        }
    }
    Q_EMIT windowSizeChanged(size);
}

QList<double> StatRegistry::percentiles() const
{
    QMutexLocker locker(&d->mutex);
    return d->percentiles;
}

void StatRegistry::setPercentiles(const QList<double> &percentiles)
{
    for (double p : percentiles) {
        if (!(p > 0.0 && p <= 100.0)) { // also refuses NaN
            qCWarning(lcStatvent) << "ignoring percentiles" << percentiles << "- each must be in (0, 100]";
            return;
        }
    }
    {
        QMutexLocker locker(&d->mutex);
        if (percentiles == d->percentiles)
            return;
        d->percentiles = percentiles;
    }
    Q_EMIT percentilesChanged(percentiles);
}

int StatRegistry::statCount() const
{
    return int(d->values.size());
}

int StatRegistry::windowCount() const
{
    return int(d->windows.size());
}

} // namespace Statvent

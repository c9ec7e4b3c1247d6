// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/statregistry.h"

#include "logging.h"
#include "statregistry_p.h"
#include "statvent/pipeformat.h"
#include "utf8name.h"
#include "windowrows.h"

#include <QMutexLocker>

#include <cmath>
#include <limits>
#include <utility>

namespace Statvent {

namespace {

constexpr qsizetype MaxWarnedNames = 1024;

const char *invalidNameReason(QByteArrayView name)
{
    if (name.isEmpty())
        return "the name is empty";
    if (name.size() > PipeFormat::MaxNameLength)
        return "the name is longer than 4096 bytes";
    static_assert(PipeFormat::MaxNameLength == 4096, "the reason above names the limit");
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
        qCWarning(lcStatvent) << "more than" << MaxWarnedNames
                              << "statistics were refused; not reporting any more";
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

template<typename Cell, typename Create>
Cell *StatRegistryPrivate::findOrCreate(Detail::CellTable<Cell> &table, QByteArrayView name,
                                        quint32 hash, const char *operation, Create create)
{
    if (Cell *cell = table.find(name, hash))
        return cell;
    if (!PipeFormat::isValidName(name)) {
        warnOnce(name, operation, invalidNameReason(name));
        return nullptr;
    }
    QMutexLocker locker(&mutex);
    return create(locker);
}

Detail::ValueCell *StatRegistryPrivate::valueCell(QByteArrayView name, quint32 hash,
                                                  const char *operation)
{
    return findOrCreate(values, name, hash, operation, [&](auto &locker) -> Detail::ValueCell * {
        if (Detail::ValueCell *cell = values.find(name, hash))
            return cell; // another thread inserted it meanwhile
        if (rowOwners.contains(name.toByteArray())) {
            locker.unlock();
            warnOnce(name, operation, "a sample window already reports a row of that name");
            return nullptr;
        }
        return values.insert(name, hash);
    });
}

bool StatRegistryPrivate::isNameTaken(const QByteArray &name) const
{
    return rowOwners.contains(name) || values.find(name, Detail::Utf8Name::hashOf(name));
}

Detail::WindowCell *StatRegistryPrivate::windowCell(QByteArrayView name, quint32 hash,
                                                    const NameFormatter &formatter,
                                                    const char *operation)
{
    return findOrCreate(windows, name, hash, operation, [&](auto &locker) -> Detail::WindowCell * {
        for (;;) {
            if (Detail::WindowCell *cell = windows.find(name, hash))
                return cell;
            const quint64 generation = percentilesGeneration;
            const QList<double> wanted = percentiles;
            locker.unlock();
            // The user's formatter runs outside the mutex: it may call the registry.
            Detail::RowNames made = rowNames(name, wanted, formatter);
            locker.relock();
            if (generation != percentilesGeneration || windows.find(name, hash))
                continue; // the percentiles changed, or another thread made the window: look again

            QSet<QByteArray> rows;
            for (const QByteArray &row : std::as_const(made.names)) {
                if (row.isEmpty())
                    continue;
                if (isNameTaken(row) || rows.contains(row)) {
                    locker.unlock();
                    const QByteArray reason =
                        "its row \"" + row + "\" would repeat the name of another statistic or row";
                    warnOnce(name, operation, reason.constData());
                    return nullptr;
                }
                rows.insert(row);
            }
            rowOwners.unite(rows);
            rings.push_back(std::make_unique<Detail::SampleRing>(quint32(windowSize)));
            return windows.insert(name, hash, rings.back().get(), keep(std::move(made)),
                                  values.size());
        }
    });
}

Detail::RowNames StatRegistryPrivate::rowNames(QByteArrayView window, const QList<double> &wanted,
                                               const NameFormatter &formatter)
{
    Detail::RowNames made{window.toByteArray(), wanted,
                          Detail::WindowRows::rowNames(
                              window, Detail::WindowRows::percentileLabels(wanted), formatter),
                          formatter};
    if (made.names.contains(QByteArray()))
        warnOnce(window, "aggregates",
                 "its formatter gives names that are empty, too long or contain a line break");
    return made;
}

const Detail::RowNames *StatRegistryPrivate::keep(Detail::RowNames rowNames)
{
    rowNameSets.push_back(std::make_unique<Detail::RowNames>(std::move(rowNames)));
    return rowNameSets.back().get();
}

void StatRegistryPrivate::renameRows(const QList<double> &wanted, quint64 generation)
{
    // Formatters run outside the mutex; windows made meanwhile already use the new percentiles.
    QList<Detail::RowNames> made;
    for (Detail::CellTable<Detail::WindowCell>::Cursor cursor(windows); !cursor.atEnd();) {
        const Detail::WindowCell &cell = cursor.next();
        made.append(rowNames(cell.name(), wanted,
                             cell.rowNames.load(std::memory_order_acquire)->formatter));
    }
    QList<QByteArray> leftOut;
    {
        QMutexLocker locker(&mutex);
        if (generation != percentilesGeneration)
            return; // a later change renames them
        rowOwners.clear();
        for (Detail::CellTable<Detail::WindowCell>::Cursor cursor(windows); !cursor.atEnd();) {
            Detail::WindowCell &cell = cursor.next();
            const qsizetype i = cursor.done() - 1;
            if (i < made.size()) {
                for (QByteArray &row : made[i].names) {
                    if (row.isEmpty())
                        continue;
                    if (isNameTaken(row)) {
                        leftOut.append(std::exchange(row, QByteArray()));
                        continue;
                    }
                    rowOwners.insert(row);
                }
                cell.rowNames.store(keep(std::move(made[i])), std::memory_order_release);
            } else {
                for (const QByteArray &row : cell.rowNames.load(std::memory_order_relaxed)->names) {
                    if (!row.isEmpty())
                        rowOwners.insert(row);
                }
            }
        }
    }
    for (const QByteArray &row : std::as_const(leftOut))
        warnOnce(row, "aggregates",
                 "another statistic already has that name, so this row is left out");
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

Detail::ValueCell *StatRegistryPrivate::checkedValueCell(const Detail::Utf8Name &key,
                                                         const StatValue &value,
                                                         const char *operation)
{
    if (Q_UNLIKELY(!value.isFinite())) {
        warnOnce(key.bytes(), operation, Detail::NonFiniteReason);
        return nullptr;
    }
    return valueCell(key.bytes(), key.hash(), operation);
}

void StatRegistry::incr(QAnyStringView name, StatValue value)
{
    const Detail::Utf8Name key(name);
    if (Detail::ValueCell *cell = d->checkedValueCell(key, value, "incr"))
        cell->add(value);
}

void StatRegistry::set(QAnyStringView name, StatValue value)
{
    const Detail::Utf8Name key(name);
    if (Detail::ValueCell *cell = d->checkedValueCell(key, value, "set"))
        cell->set(value);
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
    if (Detail::WindowCell *cell = d->windowCell(key.bytes(), key.hash(), formatter, "record"))
        cell->record(value);
}

Counter StatRegistry::counter(QAnyStringView name)
{
    const Detail::Utf8Name key(name);
    return Counter(d->valueCell(key.bytes(), key.hash(), "counter"));
}

Gauge StatRegistry::gauge(QAnyStringView name)
{
    const Detail::Utf8Name key(name);
    Detail::ValueCell *cell = d->valueCell(key.bytes(), key.hash(), "gauge");
    if (cell)
        cell->markGauge();
    return Gauge(cell);
}

SampleWindow StatRegistry::sampleWindow(QAnyStringView name, const NameFormatter &formatter)
{
    const Detail::Utf8Name key(name);
    return SampleWindow(d->windowCell(key.bytes(), key.hash(), formatter, "sampleWindow"));
}

std::optional<StatValue> StatRegistry::value(QAnyStringView name) const
{
    const Detail::Utf8Name key(name);
    if (const Detail::ValueCell *cell = d->values.find(key.bytes(), key.hash()))
        return cell->load();
    return std::nullopt;
}

TypedSnapshot StatRegistryPrivate::collect(bool withWindows) const
{
    // Windows first: every window counted here was made when at most as many values existed as
    // the value cursor walks, so each one's valuesBefore is within this snapshot.
    Detail::CellTable<Detail::WindowCell>::Cursor windowCursor(windows);
    Detail::CellTable<Detail::ValueCell>::Cursor valueCursor(values);

    TypedSnapshot typed;
    Snapshot &stats = typed.stats;
    stats.reserve(values.size() + windows.size() * 5);
    if (withWindows)
        typed.windows.reserve(windows.size());
    auto appendValuesUpTo = [&](qsizetype end) {
        while (valueCursor.done() < end && !valueCursor.atEnd()) {
            const Detail::ValueCell &cell = valueCursor.next();
            stats.append(StatEntry{valueCursor.name(cell), cell.load(), cell.kind()});
        }
    };
    // Windows nearly always share one list of percentiles: their labels are made once.
    QList<double> labelledPercentiles;
    QList<QByteArray> allLabels;
    QList<double> samples;
    while (!windowCursor.atEnd()) {
        const Detail::WindowCell &cell = windowCursor.next();
        appendValuesUpTo(cell.valuesBefore);
        const Detail::RowNames *rows = cell.rowNames.load(std::memory_order_acquire);
        cell.ring.load(std::memory_order_acquire)->copySamples(samples);
        // Before the rows are selected, which reorders the samples: the histogram then sums them
        // in the same order as the rows' mean does.
        std::optional<Histogram> histogram;
        if (withWindows)
            histogram = Histogram::fromSamples(samples);
        const qsizetype first = stats.size();
        const qsizetype count = samples.size();
        // The histogram's sum is the rows' one, unless it was saturated (the plain sum
        // overflowed and the mean is made another way).
        std::optional<double> knownSum;
        if (histogram && std::fabs(histogram->sum()) < std::numeric_limits<double>::max())
            knownSum = histogram->sum();
        const double sum = Detail::WindowRows::appendNamedRows(stats, rows->names, samples,
                                                               rows->percentiles, knownSum);
        for (auto row = stats.begin() + first; row != stats.end(); ++row)
            row->kind = StatKind::Window;
        if (!withWindows)
            continue;
        WindowStats window;
        window.name = rows->window;
        window.count = count;
        // Finite samples whose sum overflows: saturated, as the socket carries finite values.
        window.sum =
            std::isfinite(sum) ? sum : std::copysign(std::numeric_limits<double>::max(), sum);
        window.histogram = std::move(histogram);
        window.firstRow = first;
        window.rowCount = stats.size() - first;
        if (window.rowCount > 0) {
            if (allLabels.isEmpty() || rows->percentiles != labelledPercentiles) {
                labelledPercentiles = rows->percentiles;
                allLabels = Detail::WindowRows::percentileLabels(labelledPercentiles);
                allLabels.append(QByteArrayLiteral("mean"));
            }
            if (window.rowCount == allLabels.size()) {
                window.labels = allLabels;
            } else { // rows whose name was refused are left out, and so are their labels
                for (qsizetype i = 0; i < rows->names.size(); ++i) {
                    if (!rows->names[i].isEmpty())
                        window.labels.append(allLabels[i]);
                }
            }
        }
        typed.windows.append(std::move(window));
    }
    appendValuesUpTo(std::numeric_limits<qsizetype>::max());
    return typed;
}

Snapshot StatRegistry::snapshot() const
{
    return std::move(d->collect(false).stats);
}

TypedSnapshot StatRegistry::typedSnapshot() const
{
    return d->collect(true);
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
        qCWarning(lcStatvent) << "ignoring window size" << size << "- it must be between 1 and"
                              << MaxWindowSize;
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
        for (Detail::CellTable<Detail::WindowCell>::Cursor cursor(d->windows); !cursor.atEnd();) {
            Detail::WindowCell &cell = cursor.next();
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
            qCWarning(lcStatvent) << "ignoring percentiles" << percentiles
                                  << "- each must be in (0, 100]";
            return;
        }
    }
    quint64 generation;
    {
        QMutexLocker locker(&d->mutex);
        if (percentiles == d->percentiles)
            return;
        d->percentiles = percentiles;
        generation = ++d->percentilesGeneration;
    }
    d->renameRows(percentiles, generation);
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

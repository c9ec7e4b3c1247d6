// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/statregistry.h"

#include "logging.h"
#include "snapshotrecords.h"
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

namespace {

//! One window as StatRegistryPrivate::walk() hands it to its sink.
struct WindowVisit
{
    const Detail::RowNames &rows;
    qsizetype count = 0;
    //! The samples' sum; a sum beyond the doubles is the largest double of its sign, as the
    //! socket carries finite values.
    double sum = 0;
    //! Empty for an empty window.
    const Detail::WindowRows::Values &values;
    //! With histograms only (else empty): the histogram, which the sink may take, and one
    //! label per row name.
    std::optional<Histogram> &histogram;
    const QList<QByteArray> &labels;

    //! The value of row \a i of a window that holds samples: a percentile, or the mean last.
    double rowValue(qsizetype i) const
    {
        return i < values.percentiles.size() ? values.percentiles[i] : values.mean;
    }
};

//! Builds the TypedSnapshot of StatRegistryPrivate::collect().
class SnapshotSink
{
public:
    SnapshotSink(TypedSnapshot &typed, bool withWindows)
        : m_typed(typed)
        , m_withWindows(withWindows)
    {
    }

    void statistic(const Detail::CellTable<Detail::ValueCell>::Cursor &cursor,
                   const Detail::ValueCell &cell)
    {
        m_typed.stats.append(StatEntry{cursor.name(cell), cell.load(), cell.kind()});
    }

    void window(const WindowVisit &visit)
    {
        Snapshot &stats = m_typed.stats;
        const qsizetype first = stats.size();
        const QList<QByteArray> &names = visit.rows.names;
        if (visit.count > 0) {
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (!names[i].isEmpty())
                    stats.append(StatEntry{names[i], visit.rowValue(i), StatKind::Window});
            }
        }
        if (!m_withWindows)
            return;
        WindowStats window;
        window.name = visit.rows.window;
        window.count = visit.count;
        window.sum = visit.sum;
        window.histogram = std::move(visit.histogram);
        window.firstRow = first;
        window.rowCount = stats.size() - first;
        if (window.rowCount == visit.labels.size()) {
            window.labels = visit.labels;
        } else if (window.rowCount > 0) {
            // Rows whose name was refused are left out, and so are their labels.
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (!names[i].isEmpty())
                    window.labels.append(visit.labels[i]);
            }
        }
        m_typed.windows.append(std::move(window));
    }

private:
    TypedSnapshot &m_typed;
    const bool m_withWindows;
};

/*!
 * Writes the socket text of StatRegistryPrivate::typedText() as the walk goes. A buffer grown
 * before each record to that record's bound: the record itself is written with plain stores.
 */
class SocketTextSink
{
public:
    explicit SocketTextSink(qsizetype expectedBytes)
        : m_text(std::max(expectedBytes, Detail::SnapshotRecords::MaxHeaderLength),
                 Qt::Uninitialized)
        , m_at(Detail::SnapshotRecords::writeHeader(m_text.data()))
    {
    }

    void statistic(const Detail::CellTable<Detail::ValueCell>::Cursor &,
                   const Detail::ValueCell &cell)
    {
        const QByteArrayView name = cell.name();
        makeRoom(name.size() + Detail::SnapshotRecords::MaxRecordOverhead);
        m_at = Detail::SnapshotRecords::writeStatistic(m_at, cell.kind(), cell.load(), name);
        ++m_records;
    }

    void window(const WindowVisit &visit)
    {
        const QList<QByteArray> &names = visit.rows.names;
        const bool hasRows = visit.count > 0;
        qsizetype bound = visit.rows.window.size() + Detail::SnapshotRecords::MaxRecordOverhead;
        if (hasRows) {
            for (qsizetype i = 0; i < names.size(); ++i) {
                bound += names[i].size() + visit.labels[i].size()
                    + Detail::SnapshotRecords::MaxRecordOverhead;
            }
        }
        if (visit.histogram)
            bound += Detail::SnapshotRecords::histogramBound(*visit.histogram);
        makeRoom(bound);
        m_at =
            Detail::SnapshotRecords::writeWindow(m_at, visit.count, visit.sum, visit.rows.window);
        ++m_records;
        if (hasRows) {
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (!names[i].isEmpty()) {
                    m_at = Detail::SnapshotRecords::writeRow(m_at, visit.labels[i],
                                                             visit.rowValue(i), names[i]);
                }
            }
        }
        if (visit.histogram)
            m_at = Detail::SnapshotRecords::writeHistogram(m_at, *visit.histogram);
    }

    QByteArray finish()
    {
        makeRoom(Detail::SnapshotRecords::MaxHeaderLength);
        m_at = Detail::SnapshotRecords::writeEnd(m_at, m_records);
        m_text.truncate(m_at - m_text.constData());
        return std::move(m_text);
    }

private:
    void makeRoom(qsizetype bytes)
    {
        const qsizetype used = m_at - m_text.constData();
        if (m_text.size() - used >= bytes)
            return;
        m_text.resize(std::max(2 * m_text.size(), used + bytes));
        m_at = m_text.data() + used;
    }

    QByteArray m_text;
    char *m_at;
    qsizetype m_records = 0;
};

/*!
 * Writes the pipe text of StatRegistryPrivate::pipeText() as the walk goes: a window's rows are
 * its lines, as in snapshot().
 */
class PipeTextSink
{
public:
    explicit PipeTextSink(qsizetype expectedBytes) { m_text.reserve(expectedBytes); }

    void statistic(const Detail::CellTable<Detail::ValueCell>::Cursor &,
                   const Detail::ValueCell &cell)
    {
        PipeFormat::appendLine(m_text, cell.name(), cell.load());
    }

    void window(const WindowVisit &visit)
    {
        if (visit.count == 0)
            return;
        const QList<QByteArray> &names = visit.rows.names;
        for (qsizetype i = 0; i < names.size(); ++i) {
            if (!names[i].isEmpty())
                PipeFormat::appendLine(m_text, names[i], visit.rowValue(i));
        }
    }

    QByteArray finish() { return std::move(m_text); }

private:
    QByteArray m_text;
};

} // namespace

template<typename Sink>
void StatRegistryPrivate::walk(Sink &sink, bool withHistograms) const
{
    // Windows first: every window counted here was made when at most as many values existed as
    // the value cursor walks, so each one's valuesBefore is within this snapshot.
    Detail::CellTable<Detail::WindowCell>::Cursor windowCursor(windows);
    Detail::CellTable<Detail::ValueCell>::Cursor valueCursor(values);
    auto valuesUpTo = [&](qsizetype end) {
        while (valueCursor.done() < end && !valueCursor.atEnd())
            sink.statistic(valueCursor, valueCursor.next());
    };
    // Windows nearly always share one list of percentiles: their labels are made once.
    QList<double> labelledPercentiles;
    QList<QByteArray> labels;
    QList<double> samples;
    while (!windowCursor.atEnd()) {
        const Detail::WindowCell &cell = windowCursor.next();
        valuesUpTo(cell.valuesBefore);
        const Detail::RowNames *rows = cell.rowNames.load(std::memory_order_acquire);
        cell.ring.load(std::memory_order_acquire)->copySamples(samples);
        // Before the rows are selected, which reorders the samples: the histogram then sums them
        // in the same order as the rows' mean does.
        std::optional<Histogram> histogram;
        if (withHistograms) {
            histogram = Histogram::fromSamples(samples);
            if (labels.isEmpty() || rows->percentiles != labelledPercentiles) {
                labelledPercentiles = rows->percentiles;
                labels = Detail::WindowRows::percentileLabels(labelledPercentiles);
                labels.append(QByteArrayLiteral("mean"));
            }
        }
        Detail::WindowRows::Values rowValues;
        if (!samples.isEmpty()) {
            // The histogram's sum is the rows' one, unless it was saturated (the plain sum
            // overflowed and the mean is made another way).
            std::optional<double> knownSum;
            if (histogram && std::fabs(histogram->sum()) < std::numeric_limits<double>::max())
                knownSum = histogram->sum();
            rowValues = Detail::WindowRows::values(samples, rows->percentiles, knownSum);
        }
        const double sum = std::isfinite(rowValues.sum)
            ? rowValues.sum
            : std::copysign(std::numeric_limits<double>::max(), rowValues.sum);
        sink.window(WindowVisit{*rows, samples.size(), sum, rowValues, histogram, labels});
    }
    valuesUpTo(std::numeric_limits<qsizetype>::max());
}

TypedSnapshot StatRegistryPrivate::collect(bool withWindows) const
{
    TypedSnapshot typed;
    typed.stats.reserve(values.size() + windows.size() * 5);
    if (withWindows)
        typed.windows.reserve(windows.size());
    SnapshotSink sink(typed, withWindows);
    walk(sink, withWindows);
    return typed;
}

QByteArray StatRegistryPrivate::pipeText() const
{
    // Room for names of 24 bytes and their values; grown if short.
    PipeTextSink sink(values.size() * 40 + windows.size() * 250);
    walk(sink, false);
    return sink.finish();
}

QByteArray StatRegistryPrivate::typedText() const
{
    // Room for names of 24 bytes, and the text of windows of 100 samples; grown if short.
    SocketTextSink sink(values.size() * 48 + windows.size() * 700);
    walk(sink, true);
    return sink.finish();
}

Snapshot StatRegistry::snapshot() const
{
    return std::move(d->collect(false).stats);
}

TypedSnapshot StatRegistry::typedSnapshot() const
{
    return d->collect(true);
}

QByteArray StatRegistry::typedSnapshotText() const
{
    return d->typedText();
}

QByteArray StatRegistry::snapshotText() const
{
    return d->pipeText();
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

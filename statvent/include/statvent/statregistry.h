// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATREGISTRY_H
#define STATVENT_STATREGISTRY_H

#include <statvent/aggregates.h>
#include <statvent/counter.h>
#include <statvent/gauge.h>
#include <statvent/samplewindow.h>
#include <statvent/statentry.h>
#include <statvent/statvalue.h>
#include <statvent/typedsnapshot.h>

#include <QAnyStringView>
#include <QObject>

#include <memory>
#include <optional>

namespace Statvent {

class StatRegistryPrivate;

/*!
 * Holds a set of statistics: plain values (incr(), set()) and sample windows (record()).
 *
 * StatRegistry::global() is the process-wide registry behind the free functions in
 * `<statvent/statvent.h>`; separate instances give tests and libraries isolation.
 *
 * Every member is thread-safe. Looking a name up takes no lock: a new name is inserted under
 * the registry's QMutex, existing ones are found in a table that readers scan without locking.
 * Each update is applied atomically, so no update is ever lost: an incr() racing with a set()
 * of the same statistic lands before the set() (and is replaced) or after it. A snapshot reads
 * each value as one. Statistics live as long as their registry.
 *
 * Names are any string (stored as UTF-8 bytes) that is not empty, has no CR or LF and is at most
 * PipeFormat::MaxNameLength bytes. A bad name or a NaN/infinite value changes nothing and is
 * reported once per name with qWarning(). So is a name that a window's row already has (for a
 * plain statistic) or a window whose rows would repeat a name already taken: the statistic
 * made first keeps the name. A real sum beyond the largest finite double saturates there
 * (warned once per name): a statistic never holds an infinity.
 *
 * Each statistic has a kind (StatKind), derived from its use and reported by snapshot().
 *
 * From QML, use the `Statvent` singleton, which forwards to the global registry.
 */
class STATVENT_EXPORT StatRegistry : public QObject
{
    Q_OBJECT
    //! Samples each window keeps; changing it applies to every window, existing ones included.
    Q_PROPERTY(int windowSize READ windowSize WRITE setWindowSize NOTIFY windowSizeChanged)
    //! Percentiles reported for each window, each in (0, 100].
    Q_PROPERTY(
        QList<double> percentiles READ percentiles WRITE setPercentiles NOTIFY percentilesChanged)
    Q_PROPERTY(int statCount READ statCount)
    Q_PROPERTY(int windowCount READ windowCount)

public:
    static constexpr int DefaultWindowSize = 100;
    static constexpr int MaxWindowSize = 1 << 20;

    explicit StatRegistry(QObject *parent = nullptr);
    ~StatRegistry() override;

    //! The process-wide registry. Never destroyed, so handles to it stay valid until exit.
    static StatRegistry *global();

    /*!
     * Adds \a value to the statistic; a missing one starts at 0. int + real gives a real for
     * good. A negative \a value makes the statistic a gauge for good.
     */
    void incr(QAnyStringView name, StatValue value = 1);
    //! Replaces the statistic's value and type, and makes it a gauge.
    void set(QAnyStringView name, StatValue value);
    //! Adds a sample to the window \a name (whose `{0}` marks where aggregate labels go).
    void record(QAnyStringView name, double value);
    /*!
     * As record(), with the formatter that names the window's aggregates. The formatter given
     * when the window is created is kept; later ones are ignored.
     */
    void record(QAnyStringView name, double value, const NameFormatter &formatter);

    //! Lock-free handles for hot paths; invalid (and a warning) for a refused name. gauge() makes the statistic a gauge.
    Counter counter(QAnyStringView name);
    Gauge gauge(QAnyStringView name);
    SampleWindow sampleWindow(QAnyStringView name, const NameFormatter &formatter = {});

    //! The current value of a plain statistic, if it exists.
    std::optional<StatValue> value(QAnyStringView name) const;

    /*!
     * Every statistic, each window turned into its aggregate rows. Takes no lock: the
     * application's threads keep updating while it runs, and sorting happens on copies.
     */
    Snapshot snapshot() const;
    /*!
     * The same rows as snapshot(), taken the same way, with the sample windows behind the rows
     * of kind StatKind::Window: each window's name as given to record(), its sample count and
     * exact sum (a sum beyond the largest finite double is reported as that double), and which
     * rows are its aggregates under which labels, and the Histogram of the samples it holds,
     * so that readers can merge windows of several processes into true percentiles. This is
     * what a machine reader needs to tell the kinds apart without guessing from names; the
     * recorder's socket serves it as SnapshotFormat text.
     */
    TypedSnapshot typedSnapshot() const;
    //! snapshot() as pipe text (see PipeFormat).
    Q_INVOKABLE QByteArray snapshotText() const;
    /*!
     * typedSnapshot() as socket text (see SnapshotFormat), what the recorder's socket serves:
     * written straight from the statistics, without the TypedSnapshot in between, it is the
     * same text as `SnapshotFormat::serialize(typedSnapshot())` at a fraction of the cost.
     */
    QByteArray typedSnapshotText() const;

    int windowSize() const;
    void setWindowSize(int size);
    QList<double> percentiles() const;
    void setPercentiles(const QList<double> &percentiles);

    int statCount() const;
    int windowCount() const;

Q_SIGNALS:
    void windowSizeChanged(int windowSize);
    void percentilesChanged(const QList<double> &percentiles);

private:
    std::unique_ptr<StatRegistryPrivate> d;
};

} // namespace Statvent

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATTABLEMODEL_H
#define STATVENTDASHBOARD_STATTABLEMODEL_H

#include <statventdashboard/statsdocument.h>

#include <QAbstractTableModel>

#include <memory>

namespace StatventDashboard {

class PercentileGroups;
class StatHistory;
class StatTableModelPrivate;

/*!
 * Every stat of the current view, one row each: its name, its value at the last poll, and for
 * counters its rate per second.
 *
 * refresh() updates rows in place, inserting new stats and removing forgotten ones row by row,
 * so that a view's selection and scroll position survive every poll.
 */
class StatTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, RateColumn, ColumnCount };
    enum Role {
        //! The value, rate or name as a number or string to sort on.
        SortRole = Qt::UserRole + 1,
        //! True when the stat is shown as a rate (a counter outside any percentile group).
        IsCounterRole,
    };

    explicit StatTableModel(QObject *parent = nullptr);
    ~StatTableModel() override;

    /*!
     * Shows the stats of \a history, with the values of \a latest (exact integers stay exact).
     * Members of \a groups are never counters: a percentile that happens to grow is no count.
     */
    void refresh(const StatHistory &history, const StatsDocument::Stats &latest,
                 const PercentileGroups &groups);

    //! The stat shown in \a row.
    QString nameAt(int row) const;
    //! The row of \a name, or -1.
    int rowOf(const QString &name) const;
    bool isCounter(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    //! Inserts the stats that came and removes those that went, row by row.
    void updateRows(const StatHistory &history, const StatsDocument::Stats &latest);

    std::unique_ptr<StatTableModelPrivate> d;
};

} // namespace StatventDashboard

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/stattablemodel.h>

#include <statventdashboard/numberformat.h>
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/statname.h>

#include <statvent/pipeformat.h>

#include <QSet>

#include <algorithm>
#include <limits>
#include <optional>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

struct Row
{
    QString name;
    std::optional<Statvent::StatValue> value; // empty: not in the last sweep
    std::optional<double> rate;
    bool counter = false;
    QString group;
};

QString exactText(const Statvent::StatValue &value)
{
    QByteArray text;
    Statvent::PipeFormat::appendValue(text, value);
    return QString::fromLatin1(text);
}

} // namespace

class StatTableModelPrivate
{
public:
    bool sameNames(const StatHistory &history, const StatsDocument::Stats &latest) const;

    QList<Row> rows;
    QHash<QString, int> rowOfName;
    // What the rows were last made of, to skip comparing name sets when nothing came or went.
    quint64 namesRevision = 0;
    qsizetype latestCount = -1;

    void reindex()
    {
        rowOfName.clear();
        rowOfName.reserve(rows.size());
        for (int row = 0; row < rows.size(); ++row)
            rowOfName.insert(rows[row].name, row);
    }
};

bool StatTableModelPrivate::sameNames(const StatHistory &history,
                                      const StatsDocument::Stats &latest) const
{
    if (history.namesRevision() != namesRevision || latest.size() != latestCount)
        return false;
    for (auto it = latest.keyBegin(); it != latest.keyEnd(); ++it) {
        if (!rowOfName.contains(*it))
            return false;
    }
    return true;
}

StatTableModel::StatTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , d(std::make_unique<StatTableModelPrivate>())
{
}

StatTableModel::~StatTableModel() = default;

void StatTableModel::refresh(const StatHistory &history, const StatsDocument::Stats &latest,
                             const PercentileGroups &groups)
{
    if (!d->sameNames(history, latest))
        updateRows(history, latest);
    d->namesRevision = history.namesRevision();
    d->latestCount = latest.size();

    for (Row &row : d->rows) {
        const auto value = latest.constFind(row.name);
        row.value = value == latest.cend() ? std::nullopt : std::optional(*value);
        row.group = groups.patternOf(row.name);
        row.counter = row.group.isEmpty() && history.isCounter(row.name);
        row.rate = row.counter ? history.latestRate(row.name) : std::nullopt;
    }
    if (!d->rows.isEmpty())
        Q_EMIT dataChanged(index(0, ValueColumn), index(int(d->rows.size()) - 1, RateColumn));
}

void StatTableModel::updateRows(const StatHistory &history, const StatsDocument::Stats &latest)
{
    // Stats refused by a full history still get a row: the table shows everything.
    QSet<QString> names(latest.keyBegin(), latest.keyEnd());
    for (const QString &name : history.names())
        names.insert(name);

    for (int row = int(d->rows.size()) - 1; row >= 0; --row) {
        if (names.contains(d->rows[row].name))
            continue;
        beginRemoveRows({}, row, row);
        d->rows.removeAt(row);
        endRemoveRows();
    }
    d->reindex();

    QStringList added;
    for (const QString &name : std::as_const(names)) {
        if (!d->rowOfName.contains(name))
            added.append(name);
    }
    std::sort(added.begin(), added.end());
    if (!added.isEmpty()) {
        beginInsertRows({}, int(d->rows.size()), int(d->rows.size() + added.size()) - 1);
        for (const QString &name : std::as_const(added)) {
            d->rowOfName.insert(name, int(d->rows.size()));
            d->rows.append(Row{name, std::nullopt, std::nullopt, false, {}});
        }
        endInsertRows();
    }
}

QString StatTableModel::nameAt(int row) const
{
    return row >= 0 && row < d->rows.size() ? d->rows[row].name : QString();
}

int StatTableModel::rowOf(const QString &name) const
{
    return d->rowOfName.value(name, -1);
}

bool StatTableModel::isCounter(const QString &name) const
{
    const int row = rowOf(name);
    return row >= 0 && d->rows[row].counter;
}

int StatTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

int StatTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StatTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = d->rows[index.row()];
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (column == NameColumn)
            return StatName::display(row.name);
        if (column == ValueColumn) {
            if (!row.value)
                return u"—"_s;
            return row.value->isInteger() ? NumberFormat::integer(row.value->toInteger())
                                          : NumberFormat::number(row.value->toReal());
        }
        return row.rate ? NumberFormat::rate(*row.rate) : QString();
    case SortRole:
        if (column == NameColumn)
            return row.name;
        if (column == ValueColumn)
            return row.value ? row.value->toReal() : -std::numeric_limits<double>::infinity();
        return row.rate.value_or(-std::numeric_limits<double>::infinity());
    case IsCounterRole:
        return row.counter;
    case Qt::TextAlignmentRole:
        return column == NameColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                    : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (column == ValueColumn)
            return row.value ? exactText(*row.value) : u"not in the last sweep"_s;
        if (!row.group.isEmpty())
            return QString(StatName::display(row.name) + u"\npercentile group "_s
                           + StatName::display(row.group));
        return QString(StatName::display(row.name)
                       + (row.counter ? u"\ncounter: has only grown, plotted as a rate per second"_s
                                      : u"\ngauge: plotted as its value"_s));
    default:
        return {};
    }
}

QVariant StatTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case NameColumn:
        return u"Stat"_s;
    case ValueColumn:
        return u"Value"_s;
    case RateColumn:
        return u"Rate"_s;
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace StatventDashboard

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/stattablepane.h>

#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/stattablemodel.h>

#include <QHeaderView>
#include <QLineEdit>
#include <QScopedValueRollback>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

StatTablePane::StatTablePane(DashboardController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_model(new StatTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 0, 6);
    auto *filter = new QLineEdit;
    filter->setObjectName(u"statFilter"_s);
    filter->setPlaceholderText(u"Filter stats"_s);
    filter->setClearButtonEnabled(true);
    layout->addWidget(filter);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(StatTableModel::SortRole);
    m_proxy->setFilterKeyColumn(StatTableModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setObjectName(u"statTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(StatTableModel::NameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(StatTableModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(StatTableModel::ValueColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(StatTableModel::RateColumn, QHeaderView::ResizeToContents);
    m_table->setToolTip(u"Select stats to plot them: rates for counters, values for gauges"_s);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { takeTableSelection(); });
    layout->addWidget(m_table);
    setFocusProxy(m_table);
}

void StatTablePane::refresh()
{
    m_model->refresh(m_controller->shownHistory(), m_controller->shownStats(),
                     m_controller->groups());
    selectChosenRows();
}

void StatTablePane::showSelection()
{
    const QScopedValueRollback guard(m_showingSelection, true);
    m_table->clearSelection();
    selectChosenRows();
}

void StatTablePane::selectChosenRows()
{
    const QScopedValueRollback guard(m_showingSelection, true);
    QItemSelection selection;
    for (const QString &name : m_controller->selectedStats()) {
        const int row = m_model->rowOf(name);
        if (row < 0)
            continue;
        const QModelIndex index =
            m_proxy->mapFromSource(m_model->index(row, StatTableModel::NameColumn));
        if (index.isValid() && !m_table->selectionModel()->isSelected(index))
            selection.select(index, index);
    }
    if (!selection.isEmpty())
        m_table->selectionModel()->select(selection,
                                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void StatTablePane::takeTableSelection()
{
    if (m_showingSelection)
        return;
    // What the user selected, and the chosen stats the table cannot show (not there yet, or
    // filtered out): those stay chosen.
    QStringList names;
    const QModelIndexList rows =
        m_table->selectionModel()->selectedRows(StatTableModel::NameColumn);
    for (const QModelIndex &index : rows)
        names.append(m_model->nameAt(m_proxy->mapToSource(index).row()));
    names.sort();
    const QStringList chosen = m_controller->selectedStats();
    for (const QString &name : chosen) {
        const int row = m_model->rowOf(name);
        if (row < 0
            || !m_proxy->mapFromSource(m_model->index(row, StatTableModel::NameColumn)).isValid())
            names.append(name);
    }
    if (QSet<QString>(names.cbegin(), names.cend())
        != QSet<QString>(chosen.cbegin(), chosen.cend()))
        m_controller->setSelectedStats(names);
}

} // namespace StatventDashboard

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATTABLEPANE_H
#define STATVENTDASHBOARD_STATTABLEPANE_H

#include <QWidget>

class QSortFilterProxyModel;
class QTableView;

namespace StatventDashboard {

class DashboardController;
class StatTableModel;

/*!
 * The table of every stat of a DashboardController's view, sortable, with a filter box above it.
 * Its row selection is the controller's selectedStats(): selecting rows chooses stats to plot,
 * and stats chosen elsewhere (settings, command line) are selected once the table has them.
 */
class StatTablePane : public QWidget
{
    Q_OBJECT
public:
    explicit StatTablePane(DashboardController *controller, QWidget *parent = nullptr);

    //! Shows the view's latest values, then selects the chosen stats that have just arrived.
    void refresh();
    //! Makes the table's selection the controller's.
    void showSelection();

private:
    void selectChosenRows();
    void takeTableSelection();

    DashboardController *m_controller;
    StatTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    bool m_showingSelection = false; // the table's selection is being set from the controller's
};

} // namespace StatventDashboard

#endif

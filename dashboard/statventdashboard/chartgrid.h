// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_CHARTGRID_H
#define STATVENTDASHBOARD_CHARTGRID_H

#include <QScrollArea>

#include <memory>

namespace StatventDashboard {

class ChartPanel;
class DashboardController;
class ChartGridPrivate;

/*!
 * The charts of a DashboardController's view, two to a row in a scroll area: the selected
 * counters (as rates) and gauges, then one chart per percentile group. Titles name the view;
 * value axes name the unit a stat's name spells out (`latency_ms`: milliseconds).
 *
 * Only the charts in view are redrawn; the others catch up when they scroll in.
 */
class ChartGrid : public QScrollArea
{
    Q_OBJECT
public:
    explicit ChartGrid(const DashboardController *controller, QWidget *parent = nullptr);
    ~ChartGrid() override;

    //! The charts, in the order they are placed (left to right, top to bottom).
    QList<ChartPanel *> charts() const;
    //! The unit a stat's name spells out as a word of its own (`rx.bytes`: "bytes"), or empty.
    static QString unitOf(const QString &name);

public Q_SLOTS:
    //! Makes the charts match the view: which stats, which groups, titles and units.
    void updateCharts();
    //! Redraws every chart with the latest history and window.
    void refreshCharts();

protected:
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    std::unique_ptr<ChartGridPrivate> d;
};

} // namespace StatventDashboard

#endif

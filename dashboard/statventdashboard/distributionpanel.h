// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_DISTRIBUTIONPANEL_H
#define STATVENTDASHBOARD_DISTRIBUTIONPANEL_H

#include <QWidget>

#include <memory>

class QChart;
class QComboBox;
class QLabel;

namespace StatventDashboard {

class DashboardController;
class DistributionPanelPrivate;

/*!
 * The distribution view: a chooser of the view's sample windows, a sentence on what is shown
 * (DashboardController::distributionNote()), and the chosen window's histogram as bars over a
 * logarithmic value axis, with its percentiles and mean as vertical lines in the colours the
 * line charts give them. It draws DashboardController::distribution() and nothing else.
 */
class DistributionPanel : public QWidget
{
    Q_OBJECT
public:
    explicit DistributionPanel(DashboardController *controller, QWidget *parent = nullptr);
    ~DistributionPanel() override;

    QChart *chart() const;
    QComboBox *windowChooser() const;
    QLabel *note() const;

public Q_SLOTS:
    //! Shows the controller's windows and the chosen one's distribution.
    void refresh();

private:
    std::unique_ptr<DistributionPanelPrivate> d;
};

} // namespace StatventDashboard

#endif

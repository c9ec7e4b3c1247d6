// SPDX-License-Identifier: MIT
#ifndef STATVENT_DASHBOARDLOGGING_H
#define STATVENT_DASHBOARDLOGGING_H

#include <QLoggingCategory>

//! Warnings of the dashboard ("statvent.dashboard"): bad answers, refused data, lost series.
Q_DECLARE_LOGGING_CATEGORY(lcDashboard)

#endif

/** The dashboard page; its parts live in ./dashboard/ (one module per section, style, script and chart). */
export { renderDashboard, dashboardHeaders, DASHBOARD_CSP, DASHBOARD_HISTORY_ROWS, REFRESH_SECONDS, type DashboardInput } from './dashboard/page';
export { renderChart } from './dashboard/chart';

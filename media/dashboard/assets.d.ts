// esbuild bundles the stylesheets the webview imports (codicons, the dashboard's own).
declare module '*.css';

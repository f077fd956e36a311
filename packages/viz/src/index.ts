/** Model rendering (DOT/JSON/SVG), Vega-Lite plots and the HTML report. */
export {};

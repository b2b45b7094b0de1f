// The page's entry point (bundled to dist/web/app.js); styles.css becomes app.css.
import './transport-lab.js';

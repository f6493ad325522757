// Opens nbconvert's HTML of an executed notebook in headless Chromium (the Debian build, never a download) and reports
// what a reader sees: script errors, and the chart images drawn.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumSkipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (apt-get install chromium)`;

export interface HtmlReport {
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Non-file URLs the page asked for (nbconvert's require.js and MathJax CDN links), answered with an empty body. */
  external: string[];
  /** PNG images with pixels, each at least 300 px wide on the page. */
  visibleCharts: number;
  images: number;
}

export interface Viewer {
  open(htmlPath: string, screenshot?: string): Promise<HtmlReport>;
  close(): Promise<void>;
}

export async function launchViewer(profileDir: string): Promise<Viewer> {
  const { chromium } = (await import("playwright-core")) as any;
  const context = await chromium.launchPersistentContext(join(profileDir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
    viewport: { width: 1100, height: 1400 },
  });
  return {
    async open(htmlPath, screenshot) {
      const page = await context.newPage();
      const errors: string[] = [];
      const external: string[] = [];
      page.on("console", (m: any) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e: any) => errors.push(String(e)));
      // Offline: CDN scripts a reader's browser would fetch get an empty answer, so only the page's own errors count.
      await page.route(/^(?!file:|data:)/, (route: any) => {
        external.push(route.request().url());
        return route.fulfill({ status: 200, contentType: "application/javascript", body: "" });
      });
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: "load" });
      const counts = await page.evaluate(() => {
        const imgs = [...document.querySelectorAll("img")] as HTMLImageElement[];
        const charts = imgs.filter(
          (i) => i.src.startsWith("data:image/png") && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width >= 300,
        );
        return { images: imgs.length, visibleCharts: charts.length };
      });
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
      await page.close();
      return { errors, external, ...counts };
    },
    close: () => context.close(),
  };
}

/**
 * The HTML report printed to PDF by headless Chromium (playwright-core driving the system's
 * Chromium, e.g. Debian's `chromium` with `fonts-noto-cjk` for the Chinese): the page is already
 * made for print (inline SVG, no scripts or external assets), so the PDF is exactly what a
 * browser prints, which no PDF library with its own layout would be.
 */
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { HttpError } from './errors';

/** Flags for a headless Chromium in a container: no sandbox (no user namespaces), GPU or network chatter. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export async function htmlToPdf(html: string, executablePath: string): Promise<Buffer> {
  if (!fs.existsSync(executablePath)) {
    throw new HttpError(503, 'pdf_unavailable', `PDF rendering needs Chromium at ${executablePath} (CHROMIUM_PATH); the HTML report is available`);
  }
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
  } finally {
    await browser.close();
  }
}

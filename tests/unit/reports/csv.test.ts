import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../domain/csv';

describe('writing a CSV cell', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'two\nlines', null, undefined, ''])).toBe('a,"b,c","say ""hi""","two\nlines",,,');
  });

  it('neutralizes text a spreadsheet would run as a formula: a leading quote, and quoted', () => {
    expect(['=HYPERLINK("http://x","点我")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'].map(csvCell)).toEqual([
      `"'=HYPERLINK(""http://x"",""点我"")"`,
      `"'+1+1"`,
      `"'-2+3"`,
      `"'@SUM(A1)"`,
      `"'\t=1"`,
      `"'\r=1"`,
    ]);
    // text that only looks like a number is text too
    expect(csvCell('-3.5')).toBe(`"'-3.5"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers as numbers, negative ones included', () => {
    expect(csvRow([-3.5, 0, 12, -0.25, true])).toBe('-3.5,0,12,-0.25,true');
  });
});

// Markdown to terminal text (marked + marked-terminal, with cli-highlight for
// code blocks), wrapped to a width so the chat can count and scroll lines.
// `loadMarkdown` imports the libraries once; the renderer it returns is synchronous.
type MarkedLike = { parse(md: string, opts?: object): string | Promise<string> };
export type RenderMarkdown = (md: string, width: number) => string[];

export async function loadMarkdown(colour: boolean): Promise<{ render: RenderMarkdown; wrap: (text: string, width: number) => string[] }> {
  const [{ Marked }, mt, { default: wrapAnsi }] = await Promise.all([
    import('marked'),
    import('marked-terminal' as string) as Promise<{ markedTerminal: (opts: object, highlight?: object) => object }>,
    import('wrap-ansi'),
  ]);
  const wrap = (text: string, width: number) => wrapAnsi(colour ? text : text.replace(/\x1b\[[0-9;]*m/g, ''), Math.max(10, width), { hard: true, trim: false }).split('\n');
  const byWidth = new Map<number, MarkedLike>();
  const markedFor = (width: number): MarkedLike => {
    let m = byWidth.get(width);
    if (!m) {
      const inst = new Marked();
      inst.use(mt.markedTerminal({ width, reflowText: true, tab: 2, showSectionPrefix: false, emoji: false }, { ignoreIllegals: true }) as never);
      byWidth.set(width, (m = inst as unknown as MarkedLike));
    }
    return m;
  };
  const render: RenderMarkdown = (md, width) => {
    let text: string;
    try {
      text = String(markedFor(width).parse(md, { async: false }));
    } catch {
      text = md; // half-streamed Markdown can be invalid for a moment
    }
    return wrap(text.replace(/\n+$/, ''), width);
  };
  return { render, wrap };
}

import { describeConfigKey } from '../../core/index.js';

/** `text` as YAML/shell comment lines of at most `width` characters, indented by `indent` spaces. */
export function comment(text: string, indent = 0, width = 100): string {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && pad.length + 2 + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => `${pad}# ${l}`).join('\n');
}

/** The schema's description of a config key as comment lines, so templates say what docs/config.md says. */
export function keyComment(key: string, indent = 0): string {
  return comment(describeConfigKey(key), indent);
}

import { describe, expect, it } from 'vitest';
import {
  collectParameters,
  expectedReadme,
  parametersTable,
  profileDiffTable,
  UndocumentedValueError,
} from './tools/chart-docs.js';

describe('chart README generated from values.yaml', () => {
  it('should match the parameters and profile tables generated from the values files', async () => {
    const { current, expected } = await expectedReadme();
    expect(current).toBe(expected);
  });

  it('should fail on a values key without a "# --" comment', () => {
    const values = [
      '# -- Documented.',
      'a: 1',
      'b:',
      '  # -- Documented child.',
      '  c: 2',
      '  d: 3',
      '',
    ].join('\n');
    expect(() => collectParameters(values)).toThrow(UndocumentedValueError);
    expect(() => collectParameters(values)).toThrow(/b\.d/);
  });

  it('should render a leaf map as one parameter with its default as JSON', () => {
    const values = ['# -- Requests and limits.', 'resources:', '  limits:', '    cpu: "1"', ''].join('\n');
    expect(parametersTable(collectParameters(values))).toContain(
      '| `resources` | object | `{"limits":{"cpu":"1"}}` | Requests and limits. |',
    );
  });

  it('should list only the effective values on which the two profiles differ', () => {
    const table = profileDiffTable('a: 1\nb: 2\n', 'a: 1\n', 'b: 3\n');
    expect(table).toContain('| `b` | `2` | `3` |');
    expect(table).not.toContain('`a`');
  });
});

export const ANALYZE_USAGE = 'analyze (FILE.json | --study CODE) [--format json|md|html] [--out DIR] [--by site|indication|practitioner-experience]';
export async function runAnalyzeCommand(_args: string[]): Promise<void> {
  throw new Error('analyze: not built yet');
}

import { main } from './cli';

/** Runs `sandbox <argv>` in-process; none of these cases gets as far as starting anything. */
async function run(argv: string[]) {
  const written: string[] = [];
  const spy = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: any) => {
      written.push(String(chunk));
      return true;
    });
  try {
    return { code: await main(argv), stderr: written.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('sandbox cli: bad input exits 2 with the reason and the usage', () => {
  it.each([
    [['down'], /^usage: sandbox up --config <file>/],
    [['up'], /--config <file> is required/],
    [
      ['up', '--config', 'c.yaml', '--bukcet', 'b'],
      /Unknown option '--bukcet'/,
    ],
    [['up', '--config'], /--config <value>' argument missing/],
    [
      ['up', '--config', 'c.yaml', '--port', '70x'],
      /--port must be a port number, got "70x"/,
    ],
    [
      [
        'up',
        '--config',
        'c.yaml',
        '--s3-endpoint',
        'http://s3',
        '--embedded-s3-port',
        '0',
      ],
      /exclude each other/,
    ],
  ])('%j', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: sandbox up');
  });
});

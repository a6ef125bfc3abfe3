import { describe, expect, it } from 'vitest';
import { redactMysqlMessage, wrapMysqlError } from './errors.js';

describe('MySQL server messages', () => {
  it('lose the row values they quote, keep the column and key names', () => {
    expect(redactMysqlMessage("Incorrect integer value: 'ann@example.com' for column `db`.`t`.`n` at row 1")).toBe(
      "Incorrect integer value: '…' for column `db`.`t`.`n` at row 1",
    );
    expect(redactMysqlMessage("Duplicate entry 'ann@example.com' for key 'email'")).toBe("Duplicate entry '…' for key 'email'");
    expect(redactMysqlMessage("Duplicate entry 'it''s \\' quoted' for key 'k'")).toBe("Duplicate entry '…' for key 'k'");
    expect(redactMysqlMessage("Truncated incorrect DOUBLE value: 'secret'")).toBe("Truncated incorrect DOUBLE value: '…'");
    expect(redactMysqlMessage("Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'c' at row 3")).toBe(
      "Incorrect string value: '…' for column 'c' at row 3",
    );
    expect(redactMysqlMessage("Column 'name' cannot be null")).toBe("Column 'name' cannot be null");
  });

  it('are scrubbed in the FerryError and in the driver error it carries', () => {
    const driver = Object.assign(new Error("Duplicate entry 'ann@example.com' for key 'email'"), {
      errno: 1062,
      sqlState: '23000',
      sqlMessage: "Duplicate entry 'ann@example.com' for key 'email'",
    });
    const e = wrapMysqlError(driver, { table: 't' });
    expect(e.code).toBe('DATA');
    expect(JSON.stringify(e.toJSON())).not.toContain('ann@example.com');
    expect(driver.message + driver.sqlMessage).not.toContain('ann@example.com');
  });

  it('a refused login is CONFIG (not retried); a lost connection is CONNECTION (retried)', () => {
    const denied = wrapMysqlError(
      Object.assign(new Error("Access denied for user 'ferry'@'127.0.0.1' (using password: YES)"), {
        errno: 1045,
        sqlState: '28000',
        fatal: true,
      }),
      {},
    );
    expect(denied).toMatchObject({ code: 'CONFIG', retryable: false });
    expect(denied.context.hint).toMatch(/user and password/);
    const lost = wrapMysqlError(
      Object.assign(new Error('Connection lost: The server closed the connection.'), {
        code: 'PROTOCOL_CONNECTION_LOST',
        fatal: true,
      }),
      {},
    );
    expect(lost).toMatchObject({ code: 'CONNECTION', retryable: true });
  });
});

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"

	"chengnuo/intake"
)

// requestTimeout bounds one request (write and whole answer), so a stalled server cannot
// hang the tool.
const requestTimeout = 30 * time.Second

// client is a minimal HTTP/1.1 client over one persistent keep-alive TCP connection, in the
// manner of wrk: the request is written by hand, the answer parsed by hand, nothing else.
// One request is in flight at a time (no pipelining), so each latency is one request's.
// A client is used by one goroutine only.
type client struct {
	addr    string // host:port to dial
	head    []byte // request line and fixed headers, up to and excluding Content-Length
	secret  []byte
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	num     []byte // scratch for formatting Content-Length
	errBody []byte // the start of the last non-2xx answer's body
}

func newClient(addr, path string, secret []byte) *client {
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n"
	return &client{addr: addr, head: []byte(head), secret: secret,
		r: bufio.NewReaderSize(nil, 8<<10), w: bufio.NewWriterSize(nil, 8<<10), num: make([]byte, 0, 20)}
}

// dial opens the connection if it is not open.
func (c *client) dial() error {
	if c.conn != nil {
		return nil
	}
	conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return err
	}
	c.conn = conn
	c.r.Reset(conn)
	c.w.Reset(conn)
	return nil
}

// close drops the connection; the next post dials a new one.
func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// post sends one ticket, signed now, and reads the whole answer. 200 and 202 are acks;
// another status is an error carrying the start of its body. After a transport or protocol
// error the connection is closed, so the next post reconnects. A kept-alive connection the
// server closed while idle fails before any answer: the ticket is sent once more on a new
// connection (a repeated ticket_no is answered, never filed twice).
func (c *client) post(body []byte) error {
	reused := c.conn != nil
	status, err := c.roundTrip(body)
	if err != nil && reused && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
		status, err = c.roundTrip(body)
	}
	if err != nil {
		return err
	}
	if status != 200 && status != 202 {
		return fmt.Errorf("status %d: %.200s", status, c.errBody)
	}
	return nil
}

// roundTrip writes one request and reads its answer's status.
func (c *client) roundTrip(body []byte) (int, error) {
	if err := c.dial(); err != nil {
		return 0, err
	}
	c.conn.SetDeadline(time.Now().Add(requestTimeout))
	w := c.w
	w.Write(c.head)
	w.WriteString("Content-Length: ")
	w.Write(strconv.AppendInt(c.num[:0], int64(len(body)), 10))
	w.WriteString("\r\n" + intake.SignatureHeader + ": ")
	w.WriteString(intake.Sign(c.secret, time.Now(), body))
	w.WriteString("\r\n\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		c.close()
		return 0, err
	}
	status, err := c.readResponse()
	if err != nil {
		c.close()
	}
	return status, err
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads a status line, headers and a body framed by Content-Length, chunked
// transfer coding or the end of the connection. Interim 1xx answers are skipped. It keeps
// up to 512 bytes of the body of a non-2xx answer in c.errBody.
func (c *client) readResponse() (int, error) {
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		// "HTTP/1.1 202 Accepted\r\n"
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return 0, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		status, ok := digits(line[9:12])
		if !ok {
			return 0, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		length, chunked, closing := -1, false, line[7] == '0' // HTTP/1.0 closes unless told
		for {
			h, err := c.r.ReadSlice('\n')
			if err != nil {
				return 0, err
			}
			h = bytes.TrimRight(h, "\r\n")
			if len(h) == 0 {
				break
			}
			k, v, ok := bytes.Cut(h, []byte(":"))
			if !ok {
				return 0, fmt.Errorf("%w: header %q", errMalformed, h)
			}
			v = bytes.TrimSpace(v)
			switch {
			case bytes.EqualFold(k, []byte("Content-Length")):
				n, err := strconv.Atoi(string(v))
				if err != nil || n < 0 {
					return 0, fmt.Errorf("%w: Content-Length %q", errMalformed, v)
				}
				length = n
			case bytes.EqualFold(k, []byte("Transfer-Encoding")):
				chunked = !bytes.EqualFold(v, []byte("identity"))
			case bytes.EqualFold(k, []byte("Connection")):
				closing = bytes.EqualFold(v, []byte("close"))
			}
		}
		if status >= 100 && status < 200 {
			continue // interim answer; the real one follows
		}
		c.errBody = c.errBody[:0]
		keep := status < 200 || status >= 300
		switch {
		case status == 204 || status == 304:
		case chunked:
			err = c.readChunked(keep)
		case length >= 0:
			err = c.readBody(length, keep)
		default: // body runs to the end of the connection
			err = c.readBody(-1, keep)
			closing = true
		}
		if err != nil {
			return 0, err
		}
		if closing {
			c.close()
		}
		return status, nil
	}
}

// readChunked reads a chunked body and its trailer.
func (c *client) readChunked(keep bool) error {
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i] // chunk extensions
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			for { // trailer fields, then an empty line
				t, err := c.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if err := c.readBody(int(n), keep); err != nil {
			return err
		}
		if _, err := c.r.Discard(2); err != nil { // CRLF after the chunk data
			return err
		}
	}
}

// readBody consumes n body bytes (n < 0: up to EOF), keeping the first 512 if keep.
func (c *client) readBody(n int, keep bool) error {
	if keep && len(c.errBody) < 512 {
		k := 512 - len(c.errBody)
		if n >= 0 {
			k = min(k, n)
		}
		start := len(c.errBody)
		c.errBody = append(c.errBody, make([]byte, k)...)
		got, err := io.ReadFull(c.r, c.errBody[start:])
		c.errBody = c.errBody[:start+got]
		if n < 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n >= 0 {
			n -= got
		}
	}
	if n < 0 {
		_, err := io.Copy(io.Discard, c.r)
		return err
	}
	_, err := c.r.Discard(n)
	return err
}

// digits parses three ASCII digits.
func digits(b []byte) (int, bool) {
	v := 0
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		v = v*10 + int(d-'0')
	}
	return v, true
}

package qemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// GuestAgentChannel is the name of the virtio-serial port the QEMU guest
// agent listens on; its udev rule starts qemu-guest-agent.service when the
// port appears.
const GuestAgentChannel = "org.qemu.guest_agent.0"

// guestAgentSocket is the host end of the channel, in the work directory.
const guestAgentSocket = "qga.sock"

// GuestAgentSocket is the path of the host end of the guest agent channel.
func (c *Config) GuestAgentSocket() string { return filepath.Join(c.Dir, guestAgentSocket) }

// Agent is a connection to the QEMU guest agent in a running guest. It
// speaks the agent's JSON protocol: one command a line, one reply a line.
type Agent struct {
	conn net.Conn
	r    *bufio.Reader
	next int // the next guest-sync id
}

// GuestAgent connects to the guest agent channel of a VM started with
// WithGuestAgent and synchronises with the agent, retrying until timeout
// (the agent starts some time into the boot).
func (vm *VM) GuestAgent(timeout time.Duration) (*Agent, error) {
	path := filepath.Join(vm.dir, guestAgentSocket)
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("connect to the guest agent channel %s: %w", path, err)
	}
	a := &Agent{conn: conn, r: bufio.NewReader(conn), next: int(time.Now().UnixNano() % 1e9)}
	deadline := time.Now().Add(timeout)
	for {
		err := a.sync(5 * time.Second)
		if err == nil {
			return a, nil
		}
		if time.Now().After(deadline) {
			conn.Close()
			return nil, fmt.Errorf("guest agent: no answer to guest-sync within %s: %w", timeout, err)
		}
	}
}

// sync sends guest-sync with a fresh id and reads replies until the one
// carrying that id (earlier ones are answers to earlier tries).
func (a *Agent) sync(wait time.Duration) error {
	a.next++
	id := a.next
	if err := a.send("guest-sync", map[string]int{"id": id}); err != nil {
		return err
	}
	end := time.Now().Add(wait)
	for {
		reply, err := a.read(time.Until(end))
		if err != nil {
			return err
		}
		var got int
		if json.Unmarshal(reply, &got) == nil && got == id {
			return nil
		}
	}
}

// Ping sends guest-ping and waits for its empty reply.
func (a *Agent) Ping(wait time.Duration) error {
	if err := a.send("guest-ping", nil); err != nil {
		return err
	}
	reply, err := a.read(wait)
	if err != nil {
		return fmt.Errorf("guest-ping: %w", err)
	}
	if string(bytes.TrimSpace(reply)) != "{}" {
		return fmt.Errorf("guest-ping: unexpected reply %s", reply)
	}
	return nil
}

// Shutdown asks the guest to power off (guest-shutdown). The agent does not
// reply when it succeeds: wait for QEMU to exit.
func (a *Agent) Shutdown() error { return a.send("guest-shutdown", nil) }

// Close closes the connection.
func (a *Agent) Close() error { return a.conn.Close() }

func (a *Agent) send(cmd string, args any) error {
	msg := map[string]any{"execute": cmd}
	if args != nil {
		msg["arguments"] = args
	}
	data, _ := json.Marshal(msg)
	_ = a.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := a.conn.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("guest agent: send %s: %w", cmd, err)
	}
	return nil
}

// read returns the "return" value of the next reply, or the agent's error.
func (a *Agent) read(wait time.Duration) (json.RawMessage, error) {
	_ = a.conn.SetReadDeadline(time.Now().Add(wait))
	line, err := a.r.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("guest agent: read reply: %w", err)
	}
	// A guest-sync-delimited reply, or noise from an earlier session, may
	// start with 0xff.
	line = bytes.TrimLeft(line, "\xff")
	var reply struct {
		Return json.RawMessage `json:"return"`
		Error  *struct {
			Class string `json:"class"`
			Desc  string `json:"desc"`
		} `json:"error"`
	}
	if err := json.Unmarshal(line, &reply); err != nil {
		return nil, fmt.Errorf("guest agent: reply %q: %w", line, err)
	}
	if reply.Error != nil {
		return nil, fmt.Errorf("guest agent: %s: %s", reply.Error.Class, reply.Error.Desc)
	}
	if reply.Return == nil {
		return nil, errors.New("guest agent: reply without a return value")
	}
	return reply.Return, nil
}

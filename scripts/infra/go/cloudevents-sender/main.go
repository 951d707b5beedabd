// cloudevents-sender posts one binary-mode CloudEvent with github.com/cloudevents/sdk-go/v2, the library Seldon
// Core's executor and KServe's agent log with, to a URL that may carry userinfo (http://user:secret@host:port/):
// Go's net/http turns that into HTTP Basic credentials, as it does for a real executor's logger URL.
//
// Usage: cloudevents-sender URL TYPE ID EXTENSIONS_JSON DATA_JSON
// Prints the HTTP status it got; exits 0 when the receiver acknowledged (2xx), 1 when it refused, 2 on bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: cloudevents-sender URL TYPE ID EXTENSIONS_JSON DATA_JSON")
		os.Exit(2)
	}
	target, eventType, id, extensionsJSON, dataJSON := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	var extensions map[string]string
	if err := json.Unmarshal([]byte(extensionsJSON), &extensions); err != nil {
		fmt.Fprintln(os.Stderr, "extensions:", err)
		os.Exit(2)
	}
	client, err := cloudevents.NewClientHTTP() // binary content mode by default, as the executors send
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	event := cloudevents.NewEvent()
	event.SetID(id)
	event.SetType(eventType)
	event.SetSource("http://cloudevents-sender/")
	for name, value := range extensions {
		event.SetExtension(name, value)
	}
	if err := event.SetData(cloudevents.ApplicationJSON, json.RawMessage(dataJSON)); err != nil {
		fmt.Fprintln(os.Stderr, "data:", err)
		os.Exit(2)
	}
	result := client.Send(cloudevents.ContextWithTarget(context.Background(), target), event)
	var httpResult *cehttp.Result
	if errors.As(result, &httpResult) {
		fmt.Println(httpResult.StatusCode)
	} else {
		fmt.Println(0)
	}
	if !cloudevents.IsACK(result) {
		fmt.Fprintln(os.Stderr, result)
		os.Exit(1)
	}
}

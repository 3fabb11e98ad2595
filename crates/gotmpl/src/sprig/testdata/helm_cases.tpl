{{ quote nil }}|{{ quote .Values.missing }}|{{ quote .Values.num }}|{{ quote .Values.big }}|{{ squote .Values.big }}
{{ merge (dict "a" 1 "b" "") (dict "a" nil "b" nil "c" nil) }}
{{ mergeOverwrite (dict "a" 1 "b" "x") (dict "a" nil "c" nil) }}
{{ regexFindAll "a*" "baaab" -1 }}
{{ camelcase "camelCase" }} {{ snakecase "HTTPServer" }} {{ kebabcase "fooBar" }}
{{ title "hello world" }} {{ untitle "Hello World" }} {{ swapcase "aB" }}
{{ round -2.5 0 }} {{ round 2.345 2 }} {{ round 1.005 2 }} {{ floor 1.5 }} {{ ceil 1.2 }}
{{ split "" "añb" }} {{ splitList "" "añb" }} {{ splitn "," 2 "a,b,c" }}
{{ sortAlpha (list "b" 10 "a" 2.5 nil) }} {{ keys (dict "b" 1 "a" 2) | sortAlpha }}
{{ cat "a" 1.5 nil (list 1 2) (dict "k" "v") }}
{{ join "," (list 1 nil .Values.big true) }}
{{ toString .Values.big }} {{ toString 1e21 }} {{ toString .Values.flt }} {{ toString (list 1.0 2) }} {{ toString nil }}
{{ seq 0 }}|{{ seq -2 }}|{{ seq 3 -1 0 }}|{{ seq 1 1 }}
{{ int "010" }} {{ int "0x1f" }} {{ int "1e3" }} {{ int 1e20 }} {{ int "5.0" }} {{ int64 "-0b11" }} {{ float64 "1_000" }} {{ int true }}
{{ addf 1.1 2.2 }} {{ divf 1 3 }} {{ mulf 0.1 3 }} {{ subf 1 0.9 }} {{ addf }} {{ mulf 1e300 1e300 }} {{ divf 2 3 }}
{{ max 1 "7" 3.9 }} {{ min "a" 5 }} {{ maxf 1 "2.5" }} {{ add 1 2.9 }} {{ mul 2 .Values.flt }} {{ div .Values.num 2 }} {{ sub 10 .Values.big }} {{ add1 .Values.num }}
{{ uniq (list 1 1.0 "1" 1) }} {{ has 1 (list 1.0) }} {{ has 1 (list 1) }} {{ without (list 1 2 3 1) 1 }}
{{ slice (list 1 2 3) 1 }} {{ slice (list 1 2 3) "1" "2" }} {{ slice (list 1 2 3) }}
{{ first (list) }}|{{ rest (list) }}|{{ last (list) }}|{{ initial (list) }}|{{ first (list 1 2) }}
{{ dig "a" "b" "def" (dict "a" (dict "b" nil)) }}|{{ dig "a" "x" "def" (dict "a" (dict "b" 1)) }}
{{ pluck "a" (dict "a" 1) (dict "b" 2) }} {{ pick (dict "a" 1 "b" 2) "a" }} {{ omit (dict "a" 1 "b" 2) "a" }} {{ values (dict "a" 1) }}
{{ empty now }} {{ empty 0.0 }} {{ empty (list) }} {{ empty .Values.missing }} {{ empty "" }}
{{ ternary 1 2 true }} {{ ternary "a" "b" (eq 1 2) }}
{{ coalesce 0 "" nil }}|{{ coalesce .Values.missing .Values.str }}
{{ default "d" 0.0 }} {{ default "d" false }} {{ default "d" "x" }} {{ default "d" .Values.missing }} {{ .Values.missing | default "x" }} {{ default 5 .Values.num }}
{{ semverCompare ">=1.19-0" "v1.20.4-gke.1000" }} {{ (semver "v1.2.3-rc.1+b").Major }} {{ semver "v1.2.3-rc.1+b" }} {{ (semver "1.2").Original }} {{ (semver "1.2.3").Prerelease }}|{{ ((semver "1.2.3").LessThan (semver "1.3.0")) }}
{{ indent 2 "a\n\nb" | replace "\n" "~" }}|{{ nindent 2 "a" | replace "\n" "~" }}
{{ nospace " a\u00a0b " }} {{ swapcase "Hello World ǅ" }}
{{ regexSplit "a" "banana" -1 }} {{ regexSplit "" "abc" 2 }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexFind "[0-9]+" "v1.24.3" }}
{{ quote "é\u00a0\t\u200b🙂" }} {{ quote 1.5 true (list 1) (dict "a" 1) }}
{{ substr 1 3 "héllo" }} {{ trunc 63 "abc" }} {{ trunc -2 "abcd" }}
{{ repeat 3 "ab" }} {{ hasKey (dict "a" nil) "a" }} {{ tuple 1 2 }} {{ chunk 2 (list 1 2 3) }} {{ concat (list 1) (list 2 3) }} {{ compact (list 0 1 "" nil "a" false) }}
{{ urlParse "https://user:pass@host.com:8080/p/a?q=1#frag" }}
{{ htmlDate 0 }} {{ date "2006-01-02 15:04:05 MST -0700" 86400 }} {{ dateInZone "Mon Jan 2 15:04:05 2006 -07:00 MST" 0 "Asia/Kolkata" }} {{ unixEpoch (toDate "2006-01-02" "2024-02-29") }}
{{ toDate "2006-01-02T15:04:05Z07:00" "2024-02-29T10:20:30+02:00" }}|{{ toDate "2006-01-02" "bad" }}
{{ duration "95" }} {{ duration "3661" }} {{ durationRound "2h10m5s" }} {{ durationRound "-5s" }}
{{ dateModify "1.5h" (toDate "2006-01-02" "2024-01-01") }} {{ date "Jan _2 03:04PM .000 Z07" (toDate "2006-01-02" "2024-01-05") }} {{ (toDate "2006-01-02" "2024-01-05").Year }} {{ (toDate "2006-01-02" "2024-01-05").Format "Jan 2" }}
{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b32enc "hi" }} {{ sha256sum "x" | trunc 8 }} {{ adler32sum "x" }} {{ sha1sum "x" | trunc 6 }}
{{ base "a/b.c" }} {{ dir "a/b" }} {{ ext "x.tar.gz" }} {{ clean "a//b/../c" }} {{ isAbs "/x" }}
{{ kindOf .Values }} {{ kindIs "float64" .Values.num }} {{ typeIs "string" .Values.str }} {{ typeOf nil }} {{ kindOf nil }}
{{ list 1 2 | len }} {{ until 3 }} {{ untilStep 0 10 3 }} {{ toStrings (list 1 "a" nil) }}
{{ abbrev 5 "hello world" }} {{ abbrevboth 5 10 "1234 5678 9123" }} {{ initials "First Try" }} {{ wrap 5 "Hello World" | replace "\n" "~" }} {{ plural "one" "many" 2 }}
{{ trimAll "$" "$5.00$" }} {{ trimPrefix "-" "-x" }} {{ trimSuffix "-" "x-" }} {{ upper "ab" }} {{ lower "AB" }} {{ trim "  x  " }} {{ contains "b" "abc" }} {{ hasPrefix "a" "abc" }} {{ hasSuffix "c" "abc" }}
{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }} {{ $_ := unset $d "a" }}{{ $d }} {{ get $d "b" }} {{ get $d "zz" }}
{{ $x := list 1 }}{{ $y := append $x 2 }}{{ $x }} {{ $y }} {{ prepend $y 0 }} {{ reverse $y }} {{ last $y }} {{ initial $y }} {{ rest $y }}
{{ toDecimal "0755" }} {{ atoi "42" }} {{ float64 "1.5" }} {{ int64 3.9 }}
{{ getHostByName "localhost" }}|{{ hello }}
{{ mustRegexMatch "^a" "abc" }} {{ regexMatch "((" "x" }} {{ regexQuoteMeta "a.b" }} {{ regexReplaceAllLiteral "a" "aa" "$1" }}
{{ len (randAlphaNum 5) }} {{ len uuidv4 }} {{ len (randBytes 3) }}
{{ merge (dict "a" (dict "x" 1 "l" (list 1))) (dict "a" (dict "x" 2 "y" 3 "l" (list 2 3))) }}
{{ mergeOverwrite (dict "a" (dict "x" 1 "l" (list 1))) (dict "a" (dict "x" 2 "y" 3 "l" (list 2 3))) }}
{{ mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" "str") }}
{{ mergeOverwrite (dict "a" "str") (dict "a" (dict "x" 1)) }}
{{ mergeOverwrite (dict "a" "") (dict "a" (dict "x" 1)) }}
{{ merge (dict "a" "str") (dict "a" (dict "x" 1)) }}
{{ merge (dict "a" (list)) (dict "a" (list 1)) }}
{{ merge (dict "a" (list 5)) (dict "a" (list 1)) }}
{{ mergeOverwrite (dict "a" (list 5)) (dict "a" (list)) }}
{{ mergeOverwrite (dict "a" 5) (dict "a" 0 "b" false "c" "") }}
{{ merge (dict) (dict "a" 1) (dict "a" 2 "b" 3) (dict "c" nil) }}
{{ $d := dict "a" (dict "n" 1) }}{{ $s := dict "a" (dict "m" 2) "b" (dict "k" 1) }}{{ $_ := merge $d $s }}{{ $_ := set $d.b "k" 9 }}{{ $s }} {{ $d }}
{{ $d := dict }}{{ $r := merge $d (dict "x" 1) }}{{ $d }} {{ $r }}
{{ mergeOverwrite (dict "a" (dict "b" (dict "c" 1 "d" 2))) (dict "a" (dict "b" (dict "c" nil))) }}
{{ merge (dict "a" nil) (dict "a" 1) }} {{ mergeOverwrite (dict "a" nil) (dict "a" 1) }}
{{ merge (dict "a" 0.0) (dict "a" 1.5) }} {{ merge (dict "a" (dict)) (dict "a" (dict "z" 1)) }}
{{ mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" (dict)) }}
{{ mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" (list)) }}
{{ merge (dict "a" (dict "x" 1)) (dict "a" (list 1)) }}
{{ mergeOverwrite (dict "a" true) (dict "a" false) }} {{ merge (dict "a" false) (dict "a" true) }}
{{ keys nil }}|{{ pick nil "a" }}|{{ hasKey nil "a" }}|{{ get nil "a" }}|{{ pluck "a" nil }}|{{ values nil }}|{{ omit nil "a" }}
{{ join "," (list (dict "a" 1) (list 1 2) nil 1.5) }}
{{ semverCompare "^1.2" "v1.30.0-eks-abc" }} {{ semverCompare ">=1.2-0" "v1.30.0-eks-abc" }} {{ (semver "v1.30.0-eks-abc").Prerelease }}
{{ int "08" }} {{ int "-0x10" }} {{ int " " }} {{ int64 "9223372036854775808" }} {{ float64 "1e400" }} {{ float64 "-inf" }} {{ float64 "NaN" }} {{ int "+7" }}
{{ kindIs "slice" (list) }} {{ kindIs "map" .Values }} {{ kindIs "string" .Values.str }} {{ kindIs "float64" 1.5 }} {{ kindIs "int" 1 }} {{ kindIs "bool" true }} {{ kindIs "invalid" nil }}
{{ typeIs "[]interface {}" (list) }} {{ typeIsLike "string" "x" }} {{ typeOf true }} {{ typeOf 1.5 }} {{ typeOf "x" }} {{ typeOf (b64enc "x") }}
{{ has "a" (list "a") }} {{ has 1.5 (list 1.5) }} {{ has (list 1) (list (list 1)) }} {{ has (dict "a" 1) (list (dict "a" 1)) }}
{{ uniq (list (dict "a" 1) (dict "a" 1) (list 1) (list 1)) }}
{{ without (list "a" "b" nil) nil }}
{{ toStrings (list 1.5 true nil (dict)) }} {{ toStrings "x" }} {{ toStrings nil }}
{{ sortAlpha (list "B" "a" "C" "_" "1") }} {{ sortAlpha "x" }} {{ sortAlpha (dict "b" 1) }}
{{ splitList "," "" }} {{ split "," "" }} {{ splitn "," 0 "a,b" }} {{ splitn "," -1 "a,b" }}
{{ title "" }}|{{ trunc 0 "" }}|{{ substr 0 0 "" }}|{{ nospace "" }}|{{ initials "" }}|{{ abbrev 4 "abcde" }}|{{ wrap 0 "a b c" | replace "\n" "~" }}
{{ list nil 1 }} {{ dict "a" nil }} {{ tuple }}
{{ default (list 1) nil }} {{ default (dict "a" 1) (dict) }} {{ default 0 nil }}
{{ coalesce (list) (dict) (list 1) }}
{{ empty (dict "a" nil) }} {{ empty (list nil) }} {{ empty "0" }} {{ empty 0.0001 }}
{{ ternary (list 1) (dict) false }}
{{ quote "\"x\"" }} {{ quote "a\\b" }} {{ squote "it's" }}
{{ b64dec "YQ" }} {{ b64enc "" }} {{ b32dec "" }}
{{ add 1 nil "x" true }} {{ mul 3 "2" }} {{ sub "5" 2.5 }} {{ div 7 "2" }} {{ mod 7 3.9 }}
{{ round 2.5 0 }} {{ round 3.5 0 }} {{ round -0.4 0 }} {{ round 1.23456 3 }} {{ round 10 -1 }}
{{ floor "x" }} {{ ceil nil }} {{ maxf 1 nil }} {{ minf "a" }}
{{ until 0 }} {{ untilStep 0 0 1 }} {{ seq 2 1 }} {{ seq 1 0 3 }}
{{ regexFindAll "a" "aaa" 0 }} {{ regexFindAll "a" "aaa" 2 }} {{ regexReplaceAll "" "abc" "-" }} {{ regexSplit "," "a,b,c" 2 }}
{{ indent 0 "" }}|{{ nindent 0 "" | replace "\n" "~" }}|{{ indent 3 "" }}|
{{ cat }}|{{ cat nil }}|{{ quote }}|{{ squote "" }}
{{ chunk 5 (list 1 2) }} {{ chunk 1 (list 1 2) }}
{{ dig "a" "def" (dict) }} {{ dig "a" "b" "def" (dict "a" (dict)) }}
{{ repeat 0 "x" }}|{{ repeat 2 "" }}
{{ pluck "a" (dict "a" nil) }} {{ keys (dict) }}
{{ semverCompare "1.2.3 || 2.x" "2.5.0" }} {{ semverCompare ">= 1.2.3, < 2.0.0 || > 3" "3.0.1" }} {{ semverCompare "~> 1.2" "1.2.9" }} {{ semverCompare "=> 1.2" "1.2.0" }} {{ semverCompare "=< 1.2" "1.2.5" }}
{{ semverCompare ">=1.20.0-0 <1.27.0-0" "v1.26.5+k3s1" }} {{ semverCompare "<1.25" "v1.24.17-gke.2000" }} {{ semverCompare "1.x.x" "1.9.9" }}
{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-10T01:59:58.123456789-05:00" }}{{ $t }}|{{ $t.Unix }}|{{ date "Mon, 02 Jan 2006 15:04:05 MST" $t }}|{{ date "3:04PM" $t }}|{{ date ".000000 .999 ,000" $t }}
{{ $t := toDate "2006-01-02 15:04:05" "2024-03-10 06:59:59" }}{{ dateInZone "2006-01-02 15:04:05 MST -07:00" $t "America/New_York" }}|{{ dateInZone "15:04 MST" ($t | dateModify "2s") "America/New_York" }}|{{ dateInZone "Z07:00 Z0700 Z07 -07 -070000 -07:00:00" $t "Asia/Kathmandu" }}
{{ toDate "Mon Jan _2 15:04:05 2006" "Sun Mar  3 01:02:03 2024" }}|{{ toDate "02/01/2006" "31/12/1999" }}|{{ toDate "January 2, 2006" "february 29, 2024" }}|{{ toDate "2006-002" "2024-060" }}
{{ toDate "2006-01-02T15:04:05Z" "2024-01-01T00:00:00Z" }}|{{ toDate "15:04" "23:59" }}|{{ toDate "060102" "991231" }}|{{ toDate "2006-01-02 -0700" "2024-06-01 +0000" }}
{{ date "2006-01-02" (toDate "2006" "0001") }}|{{ date "Jan" (toDate "2006-01" "2024-09") }}|{{ date "January Monday Mon Jan 1 01 _2 02 __2 002 15 3 03 4 04 5 05 2006 06 PM pm" (toDate "2006-01-02 15:04:05" "2024-12-07 00:05:09") }}
{{ htmlDateInZone (toDate "2006-01-02 15:04" "2024-01-01 03:00") "Pacific/Kiritimati" }}|{{ unixEpoch (toDate "2006-01-02" "1960-06-15") }}|{{ date "2006" -86400 }}
{{ dateModify "-1.5h" (toDate "2006-01-02" "2024-01-01") }}|{{ dateModify "1h30m45.5s" (toDate "2006-01-02" "2024-01-01") }}|{{ dateModify "+300ms" (toDate "2006-01-02" "2024-01-01") }}|{{ dateModify "1µs" (toDate "2006-01-02" "2024-01-01") }}
{{ duration "-1" }} {{ duration "59" }} {{ duration "86400" }} {{ duration "9999999999" }} {{ durationRound "1.5s" }} {{ durationRound "61s" }} {{ durationRound "24h1s" }} {{ durationRound "720h" }} {{ durationRound "721h" }} {{ durationRound "8761h" }} {{ durationRound "bad" }}
{{ toDate "2006-01-02" "2024-13-01" }}|{{ toDate "2006-01-02" "2024-1-01" }}|{{ toDate "2006-1-2" "2024-1-2" }}|{{ toDate "2006-01-02 15:04:05.000" "2024-01-01 00:00:00.12" }}
{{ (toDate "2006-01-02" "2024-02-29").YearDay }} {{ (toDate "2006-01-02" "2024-02-29").Weekday }} {{ (toDate "2006-01-02" "2024-02-29").Month }} {{ (toDate "2006-01-02" "2024-02-29").UTC }} {{ ((toDate "2006-01-02" "2024-02-29").AddDate 0 1 1).Format "2006-01-02" }} {{ (toDate "2006-01-02" "2024-01-31").AddDate 0 1 0 }}
{{ quote "\u0007\u001b\u007f\u0085\u00ad\u200e\u2028\ufeff\U0001F600\u00e9\u0301" }}
{{ title "ǆemal élan ñu-ñu 1a ßx σς" }}|{{ upper "ǆ ß ﬁ ς" }}|{{ lower "Ǆ İ Σ" }}|{{ untitle "ÉLAN Ñu" }}|{{ swapcase "ǅa İ ß" }}
{{ trim "\u00a0\u2003 x \u3000" }}|{{ trimAll "ab" "abcba" }}|{{ trimAll "" "  x " }}|{{ trimPrefix "" "x" }}
{{ wrap 10 "Lorem ipsum dolor sit amet, consectetur adipiscing elit" | replace "\n" "~" }}|{{ wrapWith 3 "|" "abcdefgh ij" }}|{{ wrap 5 "     " | replace "\n" "~" }}|{{ wrap 4 "ab cd\nef gh" | replace "\n" "~" }}
{{ abbrev 6 "héllo world" }}|{{ abbrevboth 2 7 "0123456789abc" }}|{{ abbrevboth 6 9 "0123456789abcdef" }}|{{ abbrevboth 0 4 "abcdef" }}|{{ abbrevboth 1 6 "abcdefgh" }}
{{ indent 2 "a\r\nb" | quote }}|{{ nindent 2 "" | quote }}|{{ indent 1 "\n" | quote }}
{{ initials "hello-world foo_bar" }}|{{ nospace "a\tb\nc d" }}|{{ plural "x" "y" 0 }}|{{ plural "x" "y" -1 }}
{{ replace "a" "" "banana" }}|{{ replace "" "" "ab" }}|{{ replace "na" "NA" "banana" }}
{{ splitList "ab" "xabyabz" }}|{{ splitList "," "," }}|{{ splitn "," 1 "a,b" }}|{{ split "é" "aéb" }}
{{ substr 2 100 "hello" }}|{{ substr -5 2 "hello" }}|{{ substr 0 -1 "hello" }}|{{ trunc 3 "日本語" | quote }}
{{ sha1sum "héllo" }}|{{ sha256sum "" }}|{{ adler32sum "Wikipedia" }}|{{ b64enc "héllo" }}|{{ b32enc "héllo" }}|{{ b32dec "NBSWY3DPEE======" }}
{{ cat "a" "" "b" }}|{{ cat 1 2.5 true }}|{{ squote nil "x" }}|{{ quote "" }}
{{ toString (b64dec "aGk=") }}|{{ toString 0.1 }}|{{ toString 100000000.0 }}|{{ toString 1e-5 }}|{{ toString -0.0 }}
{{ join ", " (list "a" 1 2.5 true nil) }}|{{ join "" (list) }}|{{ join "-" "abc" }}|{{ join "-" 5 }}
{{ repeat 3 "é" }}|{{ contains "" "x" }}|{{ hasPrefix "" "" }}|{{ hasSuffix "x" "" }}
{{ dict 1.5 "x" true "y" nil "z" }}|{{ dict "a" 1 "a" 2 }}
{{ regexReplaceAll "(\\w+)@(\\w+)" "joe@example bob@test" "$2:$1" }}|{{ regexReplaceAll "x" "axb" "$" }}|{{ regexReplaceAll "(a)" "aaa" "${1}1${2}" }}|{{ regexFindAll "(?i)A" "aAa" -1 }}
{{ regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" "my-release" }} {{ regexMatch "\\d+" "abc123" }} {{ regexFind "[[:alpha:]]+" "123abc" }} {{ regexReplaceAll "\\s+" " a \t b " "_" }}
{{ snakecase "" }}|{{ camelcase "" }}|{{ kebabcase "Ünïcode Wörds" }}|{{ camelcase "ünïcode_wörds" }}
{{ $s := semver "1.2.3-beta.1+build.5" }}{{ $s.Major }} {{ $s.Minor }} {{ $s.Patch }} {{ $s.Prerelease }} {{ $s.Metadata }} {{ $s.Original }} {{ $s.String }} {{ $s.IncPatch }} {{ $s.IncMinor }} {{ $s.IncMajor }} {{ ($s.Compare (semver "1.2.3")) }} {{ $s.Equal (semver "1.2.3-beta.1") }} {{ $s.GreaterThan (semver "1.0.0") }}
{{ (semver "v2").IncPatch }} {{ semver "1.2.3" | toString }} {{ semver "1.2.3" | quote }} {{ typeOf (semver "1.0.0") }} {{ kindOf (semver "1.0.0") }}
{{ $l := list 1 2 3 }}{{ $m := dict "l" $l }}{{ $_ := set $m "n" (append $m.l 4) }}{{ $m }}
{{ $d := dict "a" (dict "b" (dict "c" 1)) }}{{ $c := deepCopy $d }}{{ $_ := set $c.a.b "c" 2 }}{{ $d }} {{ $c }}
{{ $x := dict }}{{ range $i, $v := list "a" "b" }}{{ $_ := set $x $v $i }}{{ end }}{{ $x }}
{{ list 1 "a" 1.5 nil true (list) (dict) | toStrings }}
{{ first (list (dict "a" 1)) }} {{ (first (list (dict "a" 1))).a }}
{{ has "x" (splitList "," "a,x") }} {{ without (splitList "," "a,b,c") "b" }} {{ uniq (splitList "," "a,b,a") }} {{ reverse (splitList "," "a,b") }} {{ concat (splitList "," "a") (list 1) }}
{{ compact (splitList "," "a,,b") }} {{ slice (splitList "," "a,b,c") 1 2 }} {{ chunk 2 (splitList "," "a,b,c") }} {{ sortAlpha (splitList "," "c,a,b") }}
{{ range $k, $v := (split "," "x,y") }}{{ $k }}={{ $v }};{{ end }}
{{ $s := split "." "a.b.c" }}{{ $s._0 }}-{{ $s._2 }}
{{ range until 3 }}{{ . }}{{ end }} {{ range untilStep 10 0 -3 }}{{ . }},{{ end }} {{ range $i := seq 3 | splitList " " }}{{ $i }}{{ end }}
{{ index (list 1 2) 1 }} {{ index (dict "a" 5) "a" }} {{ len (dict "a" 1 "b" 2) }} {{ len (list) }}
{{ ternary "y" "n" (empty (list)) }} {{ ternary "y" "n" (hasKey (dict "k" nil) "k") }} {{ ternary "y" "n" (and true (not false)) }}
{{ add1 (len (list 1 2)) }} {{ sub (len "abc") 1 }} {{ max (len "ab") 5 }} {{ mul (len "ab") 2.5 }} {{ div (len "abcd") 3 }}
{{ printf "%s-%d" "x" (add 1 2) }} {{ printf "%v" (list 1 "a") }} {{ printf "%q" (list "a") }} {{ printf "%.2f" (divf 1 3) }} {{ printf "%d" (int 3.7) }}
{{ int64 "12" | add 1 }} {{ "5" | atoi | add1 }} {{ float64 3 | mulf 1.5 }} {{ .Values.num | int | add 1 }} {{ .Values.flt | floor }}
{{ now | date "2006" | len }} {{ now | typeOf }} {{ now | kindOf }} {{ empty now }} {{ default "x" now | typeOf }}
{{ (now).IsZero }} {{ (toDate "x" "y").IsZero }} {{ toDate "x" "y" | date "2006-01-02" }} {{ toDate "x" "y" | unixEpoch }}
{{ $t := toDate "2006-01-02 15:04:05.000" "2024-07-04 09:08:07.060" }}{{ date "20060102150405" $t }}|{{ date "2006-01-02T15:04:05Z07:00" $t }}|{{ date "Jan 02, 2006 15:04 MST" $t }}|{{ date "2006-01-02T15:04:05.000Z" $t }}|{{ date "Monday, 02-Jan-06 15:04:05 MST" $t }}|{{ date "02 Jan 06 15:04 -0700" $t }}|{{ date "2006-01-02T15:04:05.999999999Z07:00" $t }}|{{ date "15:04:05.00" $t }}
{{ $t := toDate "20060102150405" "20240704090807" }}{{ $t }}|{{ toDate "2006-01-02T15:04:05.000Z" "2024-07-04T09:08:07.060Z" }}|{{ toDate "Jan 02, 2006" "Jul 04, 2024" }}|{{ toDate "2006-01-02 15:04:05 -0700 MST" "2024-07-04 09:08:07 +0200 CEST" }}
{{ dateInZone "2006-01-02 15:04:05 MST" (toDate "2006-01-02" "2024-07-04") "Europe/Berlin" }}|{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2024-01-04") "Europe/London" }}|{{ dateInZone "MST" (toDate "2006-01-02" "2024-07-04") "Etc/GMT+5" }}|{{ dateInZone "MST" (toDate "2006-01-02" "2024-07-04") "UTC" }}|{{ dateInZone "MST" (toDate "2006-01-02" "2024-07-04") "" }}|{{ dateInZone "MST" (toDate "2006-01-02" "2024-07-04") "Local" }}
